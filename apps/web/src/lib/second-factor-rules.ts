import { authenticatorCode, backupCode } from "./auth-errors";

/**
 * Where a passkey's registration carries the second factor's code, with two-factor sign-in on
 * (second-factor-checks.ts asks for it): its options are a GET, so the code goes beside the
 * password (PASSWORD_HEADER), not in a body.
 */
export const SECOND_FACTOR_HEADER = "x-two-factor-code";

/** The code as that header carries it: percent-encoded, as a header holds Latin-1 only and anything may be typed. */
export function codeHeaderValue(code: string): string {
  return encodeURIComponent(code);
}

/** The code that header carries ("" when none, or nothing that decodes). */
export function codeFromHeader(value: string | null | undefined): string {
  try {
    return decodeURIComponent(value ?? "");
  } catch {
    return "";
  }
}

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
