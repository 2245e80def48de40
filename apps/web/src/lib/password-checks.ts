/**
 * Every endpoint of Better Auth's that checks a password, and what our hooks
 * (auth-hooks.ts) add to each: the attempt counts toward its account's limit
 * (password-guesses.ts) as it starts, from a browser known to the account
 * on that browser's own count (known-devices.ts); where Better Auth does not
 * check the password itself, or checks it only after something that must wait
 * for it (second-factor-checks.ts), it is checked here first, and a request
 * without the signed-in person's is refused.
 */
import "server-only";
import { APIError } from "better-auth";
import { isAPIError } from "better-auth/api";
import type { HookContext, SessionOf } from "./auth-hook-context";
import { textOfHeader } from "./header-text";
import { knownDevice } from "./known-devices";
import { attemptCounter, endPasswordAttempt, startPasswordAttempt } from "./password-guesses";
import { PASSWORD_HEADER } from "./password-rules";

/** Where a request carries the password (any type: the client sends what it likes), and what to say when none came. */
type PasswordCheck = { given: (ctx: HookContext) => unknown; missing?: string };

/** Where the passkey endpoints carry the password (a header: the options are a GET). */
function passwordInHeader(missing: string): PasswordCheck {
  return { given: (ctx) => textOfHeader(ctx.headers?.get(PASSWORD_HEADER)), missing };
}
const PASSKEY_PASSWORD = passwordInHeader("Enter your password to add a passkey.");

/**
 * Every endpoint that checks the password, and where its request carries it. Each attempt counts
 * toward its account's limit (password-guesses.ts), and each has sign-in's rate limit: no more
 * guesses through any of them than through sign-in. Better Auth checks it; where `missing` is set,
 * startPasswordCheck checks it first (and says that when none was given).
 */
const PASSWORD_CHECKS: Record<string, PasswordCheck> = {
  "/sign-in/email": { given: (ctx) => ctx.body?.password },
  // Checked here too, before the code it asks for with two-factor sign-in on.
  "/change-password": { given: (ctx) => ctx.body?.currentPassword, missing: "Enter your current password." },
  // Asked for every time: Better Auth checks one only when it is sent, and otherwise deletes for any
  // session (its freshness rule is off, auth.ts), so whoever holds the cookie could delete the account.
  // Checked here, before the code it asks for with two-factor sign-in on: a wrong one uses up no backup code.
  "/delete-user": { given: (ctx) => ctx.body?.password, missing: "Enter your password to delete the account." },
  "/two-factor/enable": { given: (ctx) => ctx.body?.password },
  // Checked here too, before the code these two ask for with two-factor sign-in on
  // (second-factor-checks.ts): a wrong password must not use up a backup code.
  "/two-factor/disable": {
    given: (ctx) => ctx.body?.password,
    missing: "Enter your password to turn off two-factor sign-in.",
  },
  "/two-factor/generate-backup-codes": {
    given: (ctx) => ctx.body?.password,
    missing: "Enter your password for new backup codes.",
  },
  // Whoever holds a session for a moment (an unlocked computer, a stolen cookie) must not make the
  // account theirs for good. A change of address asks for the password: they could move the account
  // to an address of theirs, confirm it there and reset the password. So does a new passkey: it signs
  // in with neither password nor code, and outlives a reset, "sign out everywhere" and a second
  // factor turned on. Its password is asked for before the device makes a credential (the options)
  // and again when it is kept.
  "/change-email": { given: (ctx) => ctx.body?.password, missing: "Enter your password to change the email address." },
  "/passkey/generate-register-options": PASSKEY_PASSWORD,
  "/passkey/verify-registration": PASSKEY_PASSWORD,
  // A passkey is a way in its owner may count on (their phone, with the password forgotten): one
  // taken away by whoever holds a session for a moment is found missing only when it is needed.
  "/passkey/delete-passkey": passwordInHeader("Enter your password to remove a passkey."),
};

/** The paths of the endpoints that check a password. */
export const PASSWORD_CHECK_PATHS = Object.keys(PASSWORD_CHECKS);

/** Whether the endpoint at `path` checks a password. */
export function checksPassword(path: string): boolean {
  return Object.hasOwn(PASSWORD_CHECKS, path);
}

/** The password attempts this process counted, by request (the account's email, and its counter), for endPasswordCheck. */
const passwordAttempts = new WeakMap<Request, { email: string; counter: string }>();

/**
 * Before an endpoint that checks a password: the attempt counted toward its account's limit as it
 * starts (refused with a 429 while the account, or this browser, is paused), and the password
 * checked here where `missing` is set (refused with a 400 when wrong or missing). `session`:
 * the signed-in person's, for every endpoint but sign-in.
 */
export async function startPasswordCheck(ctx: HookContext, session: SessionOf | null): Promise<void> {
  const check = checksPassword(ctx.path) ? PASSWORD_CHECKS[ctx.path] : undefined;
  if (!check) return;
  // One without a password is refused by the endpoint and guesses nothing: not counted.
  const given = check.given(ctx);
  const password = typeof given === "string" ? given : "";
  const attemptOf = ctx.path === "/sign-in/email" ? ctx.body?.email : session?.user.email;
  // A browser known to the account (known-devices.ts) is counted on its own, not paused with the address.
  const attempt =
    ctx.request && typeof attemptOf === "string" && password
      ? { email: attemptOf, counter: attemptCounter(attemptOf, await knownDevice(ctx, attemptOf)) }
      : undefined;
  if (ctx.request && attempt) {
    const refused = await startPasswordAttempt(attempt.counter);
    if (refused) {
      const { code, message, seconds } = refused;
      throw new APIError("TOO_MANY_REQUESTS", { code, message }, { "Retry-After": String(seconds) });
    }
    passwordAttempts.set(ctx.request, attempt);
  }
  // Where `missing` is set, the request carries the signed-in person's password, or is refused here.
  if (!check.missing || !session) return;
  const account = await ctx.context.internalAdapter.findCredentialAccount(session.user.id);
  const right =
    password !== "" &&
    account?.password != null &&
    (await ctx.context.password.verify({ hash: account.password, password }));
  if (right) return;
  // Refused here, so no after hook ends the attempt: it stays counted, and may start a pause.
  // (None was counted for no password: that guesses nothing.)
  await endPasswordCheck(ctx, true);
  throw new APIError("BAD_REQUEST", {
    code: "INVALID_PASSWORD",
    message: password ? "That password is not right." : check.missing,
  });
}

/**
 * After the endpoint: the attempt that startPasswordCheck counted is over (a wrong password stays
 * counted, and the tenth starts the pause). Its account's email, or undefined when none was counted.
 * `wrong`: for a request refused by a check of ours after the password's (second-factor-checks.ts),
 * which no after hook ends, whether it counts as a wrong password.
 */
export async function endPasswordCheck(
  ctx: HookContext,
  wrong = isWrongPassword(ctx.context.returned),
): Promise<{ email: string } | undefined> {
  const attempt = ctx.request && passwordAttempts.get(ctx.request);
  if (!attempt) return undefined;
  passwordAttempts.delete(ctx.request as Request);
  await endPasswordAttempt(attempt.counter, wrong);
  return attempt;
}

/** Whether an endpoint refused a password: the wrong password of a sign-in or of an account page's form. */
function isWrongPassword(returned: unknown): boolean {
  const code = isAPIError(returned) ? returned.body?.code : undefined;
  return code === "INVALID_EMAIL_OR_PASSWORD" || code === "INVALID_PASSWORD";
}
