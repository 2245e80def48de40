import { authenticatorCode, backupCode } from "./auth-errors";

/**
 * Where a passkey's registration carries the second factor's code, with two-factor sign-in on
 * (second-factor-checks.ts asks for it): its options are a GET, so the code goes beside the
 * password (PASSWORD_HEADER), not in a body (as header-text.ts writes and reads it).
 */
export const SECOND_FACTOR_HEADER = "x-two-factor-code";

/**
 * A code typed where either kind is taken (the account page's forms): the 6 digits of an
 * authenticator code, or a backup code in the form it was handed out. Null for digits alone that
 * are neither 6 nor a backup code's 10: an authenticator code mistyped, which the server would
 * otherwise refuse as a backup code.
 */
export function secondFactorCode(typed: string): string | null {
  const authenticator = authenticatorCode(typed);
  if (authenticator) return authenticator;
  const compact = typed.replace(/[\s-]+/g, "");
  return /^\d+$/.test(compact) && compact.length !== 10 ? null : backupCode(typed);
}
