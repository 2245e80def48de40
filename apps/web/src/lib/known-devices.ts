/**
 * Browsers known to an account. The password pause (password-guesses.ts)
 * counts by address, so whoever knows an address could keep its owner's
 * password sign-in paused for good: ten wrong passwords every 15 minutes.
 * A browser that has signed in to an account with its password (or one of
 * its passkeys, which proves the account as well) gets a signed cookie with a
 * random id of the browser's own, bound to the account as it stands (a digest
 * of its user id and password hash); its password attempts on that account
 * are counted by that id instead (OWASP's "device cookies").
 * The address's pause does not stop it, and its own ten wrong passwords
 * pause it alone.
 *
 * Only a sign-in earns one (a right password, or a passkey), and only for as
 * long as the account's password stays:
 * a new one (changed or reset), or a new account at the address, voids every
 * cookie issued before, so a cookie kept by whoever once knew the password
 * (or once held the address) counts for nothing against the next. Sign-up
 * gives none (with REQUIRE_EMAIL_VERIFICATION it must answer alike for a
 * taken address): a browser is known from its first sign-in. One account a
 * browser, the last one signed in to.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { loggableError } from "@tasks/db";
import type { HookContext } from "./auth-hook-context";
import { webDatabasePool } from "./database";

const KNOWN_DEVICE_DAYS = 180;
const DEVICE_ID = /^[0-9a-f]{32}$/;

/** The cookie as Better Auth names and sets its own (prefix, `Secure` on HTTPS), sent to its endpoints only. */
function knownDeviceCookie(ctx: HookContext) {
  return ctx.context.createAuthCookie("known_device", { maxAge: KNOWN_DEVICE_DAYS * 24 * 60 * 60, path: "/api/auth" });
}

/**
 * The account of `email` as it stands, as a cookie is bound to it: a digest of its user id and its
 * password hash (Better Auth stores addresses lowercased). Null without such an account.
 */
async function accountBinding(email: string): Promise<string | null> {
  const { rows } = await webDatabasePool().query<{ id: string; password: string }>(
    `SELECT u.id, a.password FROM users u
     JOIN accounts a ON a.user_id = u.id AND a.provider_id = 'credential' AND a.password IS NOT NULL
     WHERE u.email = $1`,
    [email.trim().toLowerCase()],
  );
  const account = rows[0];
  return account ? createHash("sha256").update(`${account.id}\n${account.password}`).digest("base64url") : null;
}

/** The id and binding the request's cookie carries, its signature checked; null without one. */
async function cookieOf(ctx: HookContext): Promise<{ device: string; binding: string } | null> {
  const value = await ctx.getSignedCookie(knownDeviceCookie(ctx).name, ctx.context.secret);
  if (typeof value !== "string") return null;
  const [device = "", binding = ""] = value.split(".");
  return DEVICE_ID.test(device) && binding ? { device, binding } : null;
}

/** This browser's id, if the request's cookie is bound to the account of `email` as it stands. */
export async function knownDevice(ctx: HookContext, email: string): Promise<string | null> {
  const cookie = await cookieOf(ctx);
  return cookie && cookie.binding === (await accountBinding(email)) ? cookie.device : null;
}

/**
 * Marks this browser as known to the account of `email` (it signed in here), keeping its id if it was.
 * It runs after what it follows is written (a sign-in, a new password): a database that fails here
 * costs only the cookie (logged), never that answer, its new session's cookie or the owner's email.
 */
export async function rememberDevice(ctx: HookContext, email: string): Promise<void> {
  const binding = await accountBinding(email).catch((error: unknown) => {
    console.error("[auth] this browser is not remembered as known", loggableError(error));
    return null;
  });
  if (!binding) return;
  const cookie = await cookieOf(ctx);
  const device = cookie?.binding === binding ? cookie.device : randomBytes(16).toString("hex");
  const { name, attributes } = knownDeviceCookie(ctx);
  await ctx.setSignedCookie(name, `${device}.${binding}`, ctx.context.secret, attributes);
}
