import { authenticatorCode, backupCode } from "./auth-errors";

/**
 * Where a passkey's registration carries the second factor's code, with two-factor sign-in on
 * (second-factor-checks.ts asks for it): its options are a GET, so the code goes beside the
 * password (PASSWORD_HEADER), not in a body.
 */
export const SECOND_FACTOR_HEADER = "x-two-factor-code";

/**
 * A code typed where either kind is taken (the account page's forms): the 6 digits of an
 * authenticator code, or a backup code in the form it was handed out.
 */
export function secondFactorCode(typed: string): string {
  return authenticatorCode(typed) ?? backupCode(typed);
}
