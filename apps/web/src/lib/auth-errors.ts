/**
 * What the auth client's refusals mean, for a person: the one place their
 * words live, so every form says the same thing for the same refusal.
 */

/** An error as Better Auth's client returns it. */
export interface AuthClientError {
  status: number;
  code?: string;
  message?: string;
}

/** The code of a request that never reached the server (auth-client.ts). */
export const SERVER_UNREACHABLE = "SERVER_UNREACHABLE";
/** A password-reset link Better Auth no longer takes (INVALID_TOKEN), or that the page found so. */
export const RESET_LINK_USED_TEXT = "This link has expired or has already been used. Ask for a new one.";
export const CANNOT_REACH_SERVER = "Cannot reach the server. Check your connection and try again.";

/**
 * The code of a request that got no answer within the client's limit (auth-client.ts): a connection
 * gone silent. Unlike SERVER_UNREACHABLE, it may have been done; its message says what to do.
 */
export const SERVER_NO_ANSWER = "SERVER_NO_ANSWER";
export const NO_ANSWER_TEXT = "The server did not answer. Check your connection and try again.";

/** The request never got an answer: nothing was done, and it can be sent again. */
export function isUnreachable(error: AuthClientError): boolean {
  return error.code === SERVER_UNREACHABLE;
}

/** The server's database did not answer: the code and words of the auth endpoints' 503s (lib/unavailable.ts). */
export const DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE";
export const DATABASE_UNAVAILABLE_TEXT = "Tasks cannot reach its database right now. Try again in a few seconds.";

/** A request of a session that has ended (signed out elsewhere, expired): the words every form says for it. */
export const SESSION_ENDED = "Your session has ended.";
/** Shown by OutcomeMessage with "Sign in again" as a link back to the page (SignInAgainLink). */
export const SESSION_ENDED_TEXT = `${SESSION_ENDED} Sign in again.`;

export const TOO_MANY_ATTEMPTS = "Too many attempts. Wait a minute and try again.";
export const CODE_NOT_RIGHT = "That code is not right. Check your authenticator app and try again.";
export const BACKUP_CODE_NOT_RIGHT = "That backup code is not right, or it has been used already.";
/** Our own refusals' codes (beside Better Auth's), set on the server and read by the pages. */
export const CODE_ALREADY_USED = "CODE_ALREADY_USED";
export const PASSWORD_PAUSED = "PASSWORD_PAUSED";
export const PASSWORD_ATTEMPTS_UNDER_WAY = "PASSWORD_ATTEMPTS_UNDER_WAY";
/** A sign-in whose password or second factor changed while it was checked (lib/sign-in-races.ts). */
export const CREDENTIALS_CHANGED = "CREDENTIALS_CHANGED";
/**
 * With two-factor sign-in on, a change that would let someone sign in without a code, or shut the
 * owner out (a new password or address), came without one (lib/second-factor-checks.ts).
 */
export const TWO_FACTOR_CODE_REQUIRED = "TWO_FACTOR_CODE_REQUIRED";
/** The account page's words for a password that is not the account's. */
export const WRONG_PASSWORD_TEXT = "That password is not right.";
/** Sign-in's refusal of an address and password that do not make an account's (which of the two is not said). */
export const SIGN_IN_REFUSED_TEXT = "Invalid email or password.";

export const ENTER_A_CODE = "Enter the code your authenticator app shows, or one of your backup codes.";
/** Two-factor sign-in was on already (turned on in another tab): Better Auth's code, and ours (auth-hooks.ts). */
export const TOTP_ALREADY_ENABLED = "TOTP_ALREADY_ENABLED";
/** Ten wrong codes in a row, at sign-in or on the account page: the lock of codes (lib/second-factor-checks.ts). */
export const ACCOUNT_TEMPORARILY_LOCKED = "ACCOUNT_TEMPORARILY_LOCKED";
export const CODES_LOCKED_TEXT = "Too many wrong codes: codes are not accepted for 15 minutes.";

/** A right code that was accepted before (each is accepted once; see lib/authenticator-codes.ts). */
export const WAIT_FOR_NEXT_CODE = "That code has been used already. Wait for your app to show the next one.";
/**
 * Ten wrong passwords for one account (lib/password-guesses.ts), on the sign-in page or the account
 * page. Its way out is named by its address too: a signed-in person never sees the sign-in page's link.
 */
export const PASSWORD_PAUSED_TEXT =
  "Too many wrong passwords for this account: the password is not accepted for 15 minutes. A passkey still signs in, and “Forgot password?” (at /forgot-password) sets a new one now.";
export const ENTER_SIX_DIGITS = "Enter the 6 digits your authenticator app shows.";
export const ENTER_A_BACKUP_CODE = "Enter one of your backup codes.";

/**
 * A backup code as typed, in the form it was handed out (`abcde-FGHIJ`): from paper, the dash is
 * easily left out or typed as a space. Anything else is passed on as typed (spaces taken out), for
 * the server to refuse.
 */
export function backupCode(typed: string): string {
  const compact = typed.replace(/[\s-]+/g, "");
  return /^[A-Za-z0-9]{10}$/.test(compact) ? `${compact.slice(0, 5)}-${compact.slice(5)}` : typed.replace(/\s+/g, "");
}

/** The 6 digits of an authenticator code as typed (spaces and a dash allowed, as apps show them), or null when it is not one. */
export function authenticatorCode(typed: string): string | null {
  const code = typed.replace(/[\s-]+/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}

/** The account page's reading of a refusal. */
export function describeAuthError(error: AuthClientError): string {
  if (isUnreachable(error)) return CANNOT_REACH_SERVER;
  if (error.code === SERVER_NO_ANSWER) return NO_ANSWER_TEXT;
  if (error.code === PASSWORD_PAUSED) return PASSWORD_PAUSED_TEXT;
  if (error.code === ACCOUNT_TEMPORARILY_LOCKED) return CODES_LOCKED_TEXT;
  if (error.status === 429) return TOO_MANY_ATTEMPTS;
  if (error.code === "INVALID_PASSWORD") return WRONG_PASSWORD_TEXT;
  if (error.code === "INVALID_CODE") return CODE_NOT_RIGHT;
  if (error.code === CODE_ALREADY_USED) return WAIT_FOR_NEXT_CODE;
  if (error.code === "INVALID_BACKUP_CODE") return BACKUP_CODE_NOT_RIGHT;
  if (error.code === TWO_FACTOR_CODE_REQUIRED) return ENTER_A_CODE;
  if (error.code === TOTP_ALREADY_ENABLED) return "Two-factor sign-in is on already: it was turned on in another tab.";
  if (error.status === 401) return SESSION_ENDED_TEXT;
  if (error.code === "VALIDATION_ERROR") return validationText(error.message);
  return error.message ?? "Something went wrong. Try again.";
}

/** An address the browser takes (me@localhost, ana@gmail.c): trying again as it is would not help. */
export const NOT_AN_EMAIL_TEXT = "That is not an email address we can send to. Check it and try again.";

/**
 * Better Auth's refusal of a request's fields, in words: its own message names the field as code does
 * ("[body.email] Invalid email address").
 */
function validationText(message: string | undefined): string {
  return /\[body\.(email|newEmail)\]/.test(message ?? "")
    ? NOT_AN_EMAIL_TEXT
    : "Something in the form was not accepted. Check it and try again.";
}
