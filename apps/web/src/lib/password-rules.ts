/** Password length rules: Better Auth enforces them (auth.ts) and the sign-up form says them. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * Where a passkey's registration and removal carry the person's password
 * (password-checks.ts asks for it): the passkey plugin's client sends a body of its own,
 * headers are ours. Percent-encoded, as a header holds Latin-1 only and a password may
 * hold any character.
 */
export const PASSWORD_HEADER = "x-account-password";

export function passwordHeaderValue(password: string): string {
  return encodeURIComponent(password);
}

/** The password a header carries ("" when it carries none, or nothing that decodes). */
export function passwordFromHeader(value: string | null | undefined): string {
  try {
    return decodeURIComponent(value ?? "");
  } catch {
    return "";
  }
}

/** The new password, typed twice, must read the same both times (a typo would lock the person out). */
export const PASSWORDS_DIFFER = "The two new passwords differ.";
