/** Password length rules: Better Auth enforces them (auth.ts) and the sign-up form says them. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * Where a passkey's registration carries the person's password (auth.ts asks
 * for it): the passkey plugin's client sends a body of its own, headers are ours.
 */
export const PASSWORD_HEADER = "x-account-password";
