/** Password length rules: Better Auth enforces them (auth.ts) and the sign-up form says them. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Whether a password is of a length Better Auth takes (it counts UTF-16 code units, as `length` does). */
export function isPasswordLength(password: string): boolean {
  return password.length >= PASSWORD_MIN && password.length <= PASSWORD_MAX;
}

/** What a page says of a new password of the wrong length, before sending it. */
export const PASSWORD_LENGTH_TEXT = `The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long.`;

/**
 * Where a passkey's registration and removal carry the person's password
 * (password-checks.ts asks for it): the passkey plugin's client sends a body of its own,
 * headers are ours (as header-text.ts writes and reads them).
 */
export const PASSWORD_HEADER = "x-account-password";

/** The new password, typed twice, must read the same both times (a typo would lock the person out). */
export const PASSWORDS_DIFFER = "The two new passwords differ.";
