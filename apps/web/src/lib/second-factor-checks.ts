/**
 * With two-factor sign-in on, what would let someone sign in without a code,
 * or shut the owner out, asks for one, beside the password: turning it off,
 * new backup codes (each signs in as a code does), a new passkey (it signs in
 * with neither password nor code), a new password, a new address and
 * deleting the account.
 * Otherwise whoever has the password and holds a session for a moment (an
 * unlocked computer, a stolen cookie) could take the second factor away, or
 * keep a way round it, and from then on sign in anywhere without the owner's
 * phone: the password alone would be enough again. Or they could change the
 * password and move the address to theirs, and keep the session while its
 * owner, phone in hand, could neither sign in nor reset the password.
 *
 * The code is checked after the password (password-checks.ts), so a wrong
 * password uses up no backup code, and by the two-factor plugin's own
 * endpoints, with the request's session (a backup code is used up there). An
 * authenticator code is claimed as at sign-in, so one seen typed cannot be
 * used again (authenticator-codes.ts). Wrong codes count toward the
 * account's lock of codes (10 wrong in a row lock them for 15 minutes),
 * which the sign-in's second step counts too (startSignInCodeTry): a code
 * cannot be guessed at here faster than there, from any number of browsers or
 * addresses. Each try is counted as it starts, so that many sent at once do
 * not slip under the limit.
 */
import "server-only";
import { APIError } from "better-auth";
import { isAPIError } from "better-auth/api";
import {
  ACCOUNT_TEMPORARILY_LOCKED,
  BACKUP_CODE_NOT_RIGHT,
  CODE_ALREADY_USED,
  CODE_NOT_RIGHT,
  CODES_LOCKED_TEXT,
  ENTER_A_CODE,
  TWO_FACTOR_CODE_REQUIRED,
  WAIT_FOR_NEXT_CODE,
} from "./auth-errors";
import type { HookContext, SessionOf } from "./auth-hook-context";
import { claimAuthenticatorCode, isAuthenticatorCode, settleAuthenticatorCode } from "./authenticator-codes";
import { isNewAddressFor } from "./change-email-links";
import { webDatabasePool } from "./database";
import { textOfHeader } from "./header-text";
import { ownEntry } from "./own-entry";
import { endPasswordCheck } from "./password-checks";
import { PASSWORD_MAX, PASSWORD_MIN } from "./password-rules";
import { SECOND_FACTOR_HEADER } from "./second-factor-rules";

/** Where each endpoint that asks for a code (with two-factor sign-in on) carries it. */
const CODE_CARRIED_IN: Record<string, (ctx: HookContext) => unknown> = {
  "/two-factor/disable": (ctx) => ctx.body?.code,
  "/two-factor/generate-backup-codes": (ctx) => ctx.body?.code,
  // A new password (other devices signed out with it) and a new address (a reset's link then goes
  // there) would leave the owner, with their phone, outside an account that the session's holder
  // keeps: no password they know, and no way to reset it.
  "/change-password": (ctx) => ctx.body?.code,
  "/change-email": (ctx) => ctx.body?.code,
  // The last shut-out: the account and every task gone for good.
  "/delete-user": (ctx) => ctx.body?.code,
  // Not verify-registration: it takes only the challenge these options made, for this account, once.
  "/passkey/generate-register-options": (ctx) => textOfHeader(ctx.headers?.get(SECOND_FACTOR_HEADER)),
};

/** The lock of codes: the two-factor plugin's defaults (its own lock is off, and this one counts at sign-in too). */
const WRONG_CODES_BEFORE_LOCK = 10;
const LOCK_SECONDS = 15 * 60;

/**
 * Whether `code` is the signed-in person's: an authenticator code, or a backup code (used up if
 * it is). A refusal of the code is false; anything else is thrown.
 */
export type CodeCheck = (
  ctx: HookContext,
  session: SessionOf,
  kind: "authenticator" | "backup",
  code: string,
) => Promise<boolean>;

/**
 * Before an endpoint of CODE_CARRIED_IN, once its password is checked: with two-factor sign-in
 * on, the request's code, checked by `isCodeOfSession`, or a refusal (400 TWO_FACTOR_CODE_REQUIRED,
 * INVALID_CODE, INVALID_BACKUP_CODE, CODE_ALREADY_USED; 429 ACCOUNT_TEMPORARILY_LOCKED). Returns
 * the authenticator code it claimed, for the after hook to settle by the request's outcome; null
 * when it claimed none. A refusal here ends the password's attempt (as a right one): no after
 * hook runs for it.
 */
export async function checkSecondFactor(
  ctx: HookContext,
  session: SessionOf | null,
  isCodeOfSession: CodeCheck,
): Promise<{ userId: string; code: string } | null> {
  const carried = ownEntry(CODE_CARRIED_IN, ctx.path);
  if (!carried || !session?.user.twoFactorEnabled) return null;
  const refusal = refusalToCome(ctx, session);
  if (refusal) {
    await endPasswordCheck(ctx, false);
    throw refusal;
  }
  const given = carried(ctx);
  const code = typeof given === "string" ? given.trim() : "";
  const userId = session.user.id;
  const authenticator = isAuthenticatorCode(code);
  let outcome: "right" | "wrong" | "unknown" = "unknown";
  let claimed = false;
  let counted = false;
  try {
    if (!code) throw new APIError("BAD_REQUEST", { code: TWO_FACTOR_CODE_REQUIRED, message: ENTER_A_CODE });
    // (A code claimed already is someone else's claim: left as it is.)
    if (authenticator && !(await claimAuthenticatorCode(userId, code))) {
      throw new APIError("BAD_REQUEST", { code: CODE_ALREADY_USED, message: WAIT_FOR_NEXT_CODE });
    }
    claimed = authenticator;
    const lockedFor = await countCodeTry(userId);
    if (lockedFor) throw codesLocked(lockedFor);
    counted = true;
    const kind = authenticator ? "authenticator" : "backup";
    outcome = (await isCodeOfSession(ctx, session, kind, code)) ? "right" : "wrong";
  } catch (error) {
    await endPasswordCheck(ctx, false);
    throw error;
  } finally {
    if (counted) await settleCodeTry(userId, outcome);
    if (claimed && outcome !== "right") await settleAuthenticatorCode(userId, code, false);
  }
  if (outcome === "right") return authenticator ? { userId, code } : null;
  await endPasswordCheck(ctx, false);
  throw new APIError(
    "BAD_REQUEST",
    authenticator
      ? { code: "INVALID_CODE", message: CODE_NOT_RIGHT }
      : { code: "INVALID_BACKUP_CODE", message: BACKUP_CODE_NOT_RIGHT },
  );
}

/**
 * What the endpoint would refuse once the code is checked, refused before it, in Better Auth's
 * words: a backup code is not used up on a change that cannot be made (an address that is none,
 * or the account's own; a new password too short or too long).
 */
function refusalToCome(ctx: HookContext, session: SessionOf): APIError | null {
  if (ctx.path === "/change-email") {
    const newEmail = ctx.body?.newEmail;
    if (typeof newEmail === "string" && isNewAddressFor(session.user.email, newEmail)) return null;
    return typeof newEmail === "string" && newEmail.toLowerCase() === session.user.email.toLowerCase()
      ? new APIError("BAD_REQUEST", { message: "Email is the same" })
      : new APIError("BAD_REQUEST", { code: "INVALID_EMAIL", message: "Invalid email" });
  }
  if (ctx.path === "/change-password") {
    const length = typeof ctx.body?.newPassword === "string" ? ctx.body.newPassword.length : 0;
    if (length < PASSWORD_MIN)
      return new APIError("BAD_REQUEST", { code: "PASSWORD_TOO_SHORT", message: "Password too short" });
    if (length > PASSWORD_MAX)
      return new APIError("BAD_REQUEST", { code: "PASSWORD_TOO_LONG", message: "Password too long" });
  }
  return null;
}

/**
 * Sign-in's second step (`/two-factor/verify-totp` or `/verify-backup-code`
 * with a pending sign-in's cookie, nobody signed in): the try is counted
 * toward the same lock as it starts, before the plugin checks the code, and
 * settled by endSignInCodeTry with the plugin's answer. The plugin's own lock
 * (off, auth.ts) read the lock as each try began and counted a wrong code as
 * it ended, so codes sent at once, one on each of many pending sign-ins (the
 * password makes as many as one likes), were all checked: any number of
 * guesses before the first was counted. Throws the lock's 429 when codes are
 * locked, or become so with this try.
 */
export async function startSignInCodeTry(userId: string): Promise<void> {
  const lockedFor = await countCodeTry(userId);
  if (lockedFor) throw codesLocked(lockedFor);
}

/**
 * The sign-in try counted by startSignInCodeTry is over, and `returned` is the plugin's answer: a
 * session (the code was right), a refusal of the code (wrong), or any other refusal (the code was
 * not checked: the sign-in's challenge over or gone, the backup codes written meanwhile, the
 * database), which takes the try back.
 */
export async function endSignInCodeTry(userId: string, returned: unknown): Promise<void> {
  const outcome = isRefusalOfCode(returned) ? "wrong" : returned instanceof Error ? "unknown" : "right";
  await settleCodeTry(userId, outcome);
}

/** Whether the two-factor plugin's answer is its refusal of the code itself (checked, and wrong). */
export function isRefusalOfCode(answer: unknown): boolean {
  const refusal = isAPIError(answer) ? answer.body?.code : undefined;
  return refusal === "INVALID_CODE" || refusal === "INVALID_BACKUP_CODE";
}

/** The lock's refusal, with the seconds it has left. */
function codesLocked(seconds: number): APIError {
  return new APIError(
    "TOO_MANY_REQUESTS",
    { code: ACCOUNT_TEMPORARILY_LOCKED, message: CODES_LOCKED_TEXT },
    { "Retry-After": String(seconds) },
  );
}

/**
 * Counts a try at `userId`'s code toward the lock, as it starts, in one statement (a lock that has
 * ended starts the count again): the lock's seconds left when codes are locked, or become so with
 * this try (the eleventh under way or wrong), else 0. An account without the plugin's row counts
 * nothing: its code is refused anyway.
 */
async function countCodeTry(userId: string): Promise<number> {
  // (In SET, each column is the row's value before the update.)
  const { rows } = await webDatabasePool().query<{ seconds: number }>(
    `UPDATE two_factors SET
       failed_verification_count = CASE WHEN locked_until > now() THEN failed_verification_count
                                        WHEN locked_until IS NULL THEN failed_verification_count + 1
                                        ELSE 1 END,
       locked_until = CASE WHEN locked_until > now() THEN locked_until
                           WHEN (CASE WHEN locked_until IS NULL THEN failed_verification_count ELSE 0 END) + 1 > $2
                             THEN now() + make_interval(secs => $3)
                           ELSE NULL END
     WHERE user_id = $1
     RETURNING CASE WHEN locked_until > now() THEN greatest(1, ceil(extract(epoch FROM locked_until - now())))::int
                    ELSE 0 END AS seconds`,
    [userId, WRONG_CODES_BEFORE_LOCK, LOCK_SECONDS],
  );
  return rows[0]?.seconds ?? 0;
}

/**
 * The try counted by countCodeTry is over: a right code ends the count and any lock (as the
 * plugin's own check does), a wrong one stays counted and the tenth locks codes, and one that
 * was not checked (the database, a session gone, a backup code written meanwhile) is taken back
 * (after a reset meanwhile, that may take back another's wrong try: at most one each). Logged,
 * not thrown.
 */
async function settleCodeTry(userId: string, outcome: "right" | "wrong" | "unknown"): Promise<void> {
  const statement = {
    right: "UPDATE two_factors SET failed_verification_count = 0, locked_until = NULL WHERE user_id = $1",
    wrong: `UPDATE two_factors SET locked_until = now() + make_interval(secs => $3)
            WHERE user_id = $1 AND failed_verification_count >= $2 AND locked_until IS NULL`,
    unknown: `UPDATE two_factors SET failed_verification_count = greatest(failed_verification_count - 1, 0)
              WHERE user_id = $1 AND locked_until IS NULL`,
  }[outcome];
  const values = outcome === "wrong" ? [userId, WRONG_CODES_BEFORE_LOCK, LOCK_SECONDS] : [userId];
  await webDatabasePool()
    .query(statement, values)
    .catch((error: unknown) => console.error("[auth] could not settle a try at a code", error));
}
