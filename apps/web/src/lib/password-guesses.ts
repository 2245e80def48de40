/**
 * Password guesses per account. The rate limits count by client address (10
 * a minute per endpoint), which does not stop guesses spread over many
 * addresses (a botnet), nor one stolen session cookie used from many. So every
 * password check (sign-in, and the account page's: change of email or
 * password, deletion, passkeys, two-factor) is also counted by the account's
 * email address: ten wrong passwords, each within an hour of the attempt
 * before, pause password checks for that address for 15 minutes, from every
 * client. Unknown addresses are counted alike, so a pause tells nobody whether
 * an account exists, and a right password does not reset the count (that
 * would tell who signs in): it only gives its own attempt back. A new password
 * (changed or reset) ends the count and the pause: a reset is the owner's way
 * out, and a passkey signs in regardless.
 *
 * An attempt is counted as it starts, before the password is checked, so that
 * many sent at once cannot all slip under the limit; one that was not a wrong
 * password is given back when it ends.
 */
import "server-only";
import type { createPool } from "@tasks/db";

type Pool = ReturnType<typeof createPool>;

const ATTEMPTS_BEFORE_PAUSE = 10;
const PAUSE_SECONDS = 15 * 60;

/** The refusal's code (auth-errors.ts says it in words). */
export const PASSWORD_PAUSED = "PASSWORD_PAUSED";

/** Email addresses as Better Auth compares them. */
const key = (email: string) => email.trim().toLowerCase();

/**
 * Counts an attempt for `email` as it starts: 0 when it may go on, else the
 * seconds until attempts are taken again (a pause, or ten attempts counted
 * already). A count whose last attempt is over an hour old, or whose pause has
 * ended, starts again. Counts untouched for a day go (anyone's) in the same statement.
 */
export async function startPasswordAttempt(pool: Pool, email: string): Promise<number> {
  const counted = await pool.query(
    `WITH stale AS (
       DELETE FROM password_attempts WHERE last_attempt_at < now() - interval '1 day' AND email <> $1
     )
     INSERT INTO password_attempts AS counted (email, attempts, last_attempt_at)
     VALUES ($1, 1, now())
     ON CONFLICT (email) DO UPDATE SET
       attempts = CASE WHEN counted.paused_until <= now() OR counted.last_attempt_at < now() - interval '1 hour'
                       THEN 1 ELSE counted.attempts + 1 END,
       last_attempt_at = now(),
       paused_until = CASE WHEN counted.paused_until <= now() THEN NULL ELSE counted.paused_until END
     WHERE NOT coalesce(counted.paused_until > now(), false)
       AND (counted.paused_until <= now() OR counted.last_attempt_at < now() - interval '1 hour'
            OR counted.attempts < $2)`,
    [key(email), ATTEMPTS_BEFORE_PAUSE],
  );
  if (counted.rowCount === 1) return 0;
  const { rows } = await pool.query<{ seconds: number | null }>(
    `SELECT ceil(extract(epoch FROM paused_until - now()))::int AS seconds
     FROM password_attempts WHERE email = $1 AND paused_until > now()`,
    [key(email)],
  );
  // Ten attempts under way and none wrong yet: the pause will start if they are.
  return rows[0]?.seconds ?? PAUSE_SECONDS;
}

/** Ends an attempt: a wrong password stays counted, and the tenth starts the pause; anything else is given back. */
export async function endPasswordAttempt(pool: Pool, email: string, wrongPassword: boolean): Promise<void> {
  await pool.query(
    wrongPassword
      ? `UPDATE password_attempts SET paused_until = now() + make_interval(secs => $3)
         WHERE email = $1 AND attempts >= $2 AND NOT coalesce(paused_until > now(), false)`
      : "UPDATE password_attempts SET attempts = attempts - 1 WHERE email = $1 AND attempts > 0",
    wrongPassword ? [key(email), ATTEMPTS_BEFORE_PAUSE, PAUSE_SECONDS] : [key(email)],
  );
}

/** Ends the count and any pause for `email`: its password is new. */
export async function forgetPasswordAttempts(pool: Pool, email: string): Promise<void> {
  await pool.query("DELETE FROM password_attempts WHERE email = $1", [key(email)]);
}
