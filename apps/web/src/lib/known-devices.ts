/**
 * Browsers known to an account. The password pause (password-guesses.ts)
 * counts by address, so whoever knows an address could keep its owner's
 * password sign-in paused for good: ten wrong passwords every 15 minutes.
 * A browser that has signed in to an account with its password gets a signed
 * cookie naming the account (its address's digest) and a random id of the
 * browser's own; its password attempts on that account are counted by that
 * id instead (OWASP's "device cookies"). The address's pause does not stop
 * it, and its own ten wrong passwords pause it alone. Only a right password
 * earns one, for the account it was right for: a guesser cannot make their
 * own (sign-up gives none: it answers alike for a taken address). One account
 * a browser: the last one signed in to.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { createAuthMiddleware } from "better-auth/api";
import { attemptCounter } from "./password-guesses";

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

const KNOWN_DEVICE_DAYS = 180;
const DEVICE_ID = /^[0-9a-f]{32}$/;

/** The cookie as Better Auth names and sets its own (prefix, `Secure` on HTTPS), sent to its endpoints only. */
function knownDeviceCookie(ctx: HookContext) {
  return ctx.context.createAuthCookie("known_device", { maxAge: KNOWN_DEVICE_DAYS * 24 * 60 * 60, path: "/api/auth" });
}

/** The account a cookie names: a digest, so that the cookie does not carry the address itself. */
function accountDigest(email: string): string {
  return createHash("sha256").update(attemptCounter(email, null)).digest("base64url");
}

/** This browser's id, if the request's cookie (its signature checked) names the account of `email`. */
export async function knownDevice(ctx: HookContext, email: string): Promise<string | null> {
  const value = await ctx.getSignedCookie(knownDeviceCookie(ctx).name, ctx.context.secret);
  if (typeof value !== "string") return null;
  const [device, account] = value.split(".");
  return device && DEVICE_ID.test(device) && account === accountDigest(email) ? device : null;
}

/** Marks this browser as known to the account of `email` (its password was right here), keeping its id if it was. */
export async function rememberDevice(ctx: HookContext, email: string): Promise<void> {
  const device = (await knownDevice(ctx, email)) ?? randomBytes(16).toString("hex");
  const { name, attributes } = knownDeviceCookie(ctx);
  await ctx.setSignedCookie(name, `${device}.${accountDigest(email)}`, ctx.context.secret, attributes);
}
