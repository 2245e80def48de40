/** Password length rules: Better Auth enforces them (auth.ts) and the sign-up form says them. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
