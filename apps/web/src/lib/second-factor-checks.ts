/**
 * With two-factor sign-in on, what would let someone sign in without a code
 * asks for one, beside the password: turning it off, new backup codes (each
 * signs in as a code does) and a new passkey (it signs in with neither
 * password nor code). Otherwise whoever has the password and holds a session
 * for a moment (an unlocked computer, a stolen cookie) could take the second
 * factor away, or keep a way round it, and from then on sign in anywhere
 * without the owner's phone: the password alone would be enough again.
 *
 * The code is checked after the password (password-checks.ts), so a wrong
 * password uses up no backup code, and by the two-factor plugin's own
 * endpoints, with the request's session (a backup code is used up there). An
 * authenticator code is claimed as at sign-in, so one seen typed cannot be
 * used again (authenticator-codes.ts). A wrong code counts as a wrong
 * password toward the account's pause (password-guesses.ts): guesses at the
 * code are bounded as guesses at the password are, from any number of
 * addresses.
 */
import "server-only";
import { APIError } from "better-auth";
import {
  BACKUP_CODE_NOT_RIGHT,
  CODE_ALREADY_USED,
  CODE_NOT_RIGHT,
  ENTER_A_CODE,
  TWO_FACTOR_CODE_REQUIRED,
  WAIT_FOR_NEXT_CODE,
} from "./auth-errors";
import type { HookContext, SessionOf } from "./auth-hook-context";
import { claimAuthenticatorCode, settleAuthenticatorCode } from "./authenticator-codes";
import { endPasswordCheck } from "./password-checks";
import { SECOND_FACTOR_HEADER } from "./second-factor-rules";

/** Where each endpoint that asks for a code (with two-factor sign-in on) carries it. */
const CODE_CARRIED_IN: Record<string, (ctx: HookContext) => unknown> = {
  "/two-factor/disable": (ctx) => ctx.body?.code,
  "/two-factor/generate-backup-codes": (ctx) => ctx.body?.code,
  // Not verify-registration: it takes only the challenge these options made, for this account, once.
  "/passkey/generate-register-options": (ctx) => ctx.headers?.get(SECOND_FACTOR_HEADER),
};

/** Whether `code` is the signed-in person's: an authenticator code, or a backup code (used up if it is). */
export type CodeCheck = (kind: "authenticator" | "backup", code: string) => Promise<boolean>;

/**
 * Before an endpoint of CODE_CARRIED_IN, once its password is checked: with two-factor sign-in
 * on, the request's code, checked by `isCodeOfSession`, or a 400 (TWO_FACTOR_CODE_REQUIRED,
 * INVALID_CODE, INVALID_BACKUP_CODE, CODE_ALREADY_USED). Returns the authenticator code it
 * claimed, for the after hook to settle by the request's outcome; null when it claimed none.
 */
export async function checkSecondFactor(
  ctx: HookContext,
  session: SessionOf | null,
  isCodeOfSession: CodeCheck,
): Promise<{ userId: string; code: string } | null> {
  const carried = Object.hasOwn(CODE_CARRIED_IN, ctx.path) ? CODE_CARRIED_IN[ctx.path] : undefined;
  if (!carried || !session?.user.twoFactorEnabled) return null;
  const given = carried(ctx);
  const code = typeof given === "string" ? given.trim() : "";
  // Refused here, so no after hook ends the password's attempt: ended now (a code that came with
  // no password would have been refused before this).
  if (!code) {
    await endPasswordCheck(ctx, false);
    throw new APIError("BAD_REQUEST", { code: TWO_FACTOR_CODE_REQUIRED, message: ENTER_A_CODE });
  }
  const userId = session.user.id;
  const authenticator = /^\d{6}$/.test(code);
  if (authenticator && !(await claimAuthenticatorCode(userId, code))) {
    await endPasswordCheck(ctx, false);
    throw new APIError("BAD_REQUEST", { code: CODE_ALREADY_USED, message: WAIT_FOR_NEXT_CODE });
  }
  let right = false;
  try {
    right = await isCodeOfSession(authenticator ? "authenticator" : "backup", code);
  } finally {
    if (!right && authenticator) await settleAuthenticatorCode(userId, code, false);
  }
  if (right) return authenticator ? { userId, code } : null;
  await endPasswordCheck(ctx, true);
  throw new APIError(
    "BAD_REQUEST",
    authenticator
      ? { code: "INVALID_CODE", message: CODE_NOT_RIGHT }
      : { code: "INVALID_BACKUP_CODE", message: BACKUP_CODE_NOT_RIGHT },
  );
}
