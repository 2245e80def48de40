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
 * out, and a passkey signs in regardless. A browser that has signed in to the
 * account before is not paused with the address: it has a count of its own
 * (known-devices.ts, attemptCounter).
 *
 * An attempt is counted as it starts, before the password is checked, so that
 * many sent at once cannot all slip under the limit: while ten are under way
 * and wrong ones, the next is refused for a moment (a minute at most: an
 * attempt that never ended, say in a crash, no longer counts once no attempt
 * has started for a minute). Only wrong passwords start the pause.
 */
import "server-only";
import { createHash } from "node:crypto";
import { PASSWORD_ATTEMPTS_UNDER_WAY, PASSWORD_PAUSED, PASSWORD_PAUSED_TEXT, TOO_MANY_ATTEMPTS } from "./auth-errors";
import { webDatabasePool } from "./database";

const ATTEMPTS_BEFORE_PAUSE = 10;
const PAUSE_SECONDS = 15 * 60;
/** Attempts under way: counted until they end, or until none has started for this long. */
const UNDER_WAY_SECONDS = 60;

/**
 * Email addresses as Better Auth compares them; an address longer than any
 * real one (RFC 5321: 254) by its digest, so that it fits the index.
 */
function key(email: string): string {
  const address = email.trim().toLowerCase();
  return address.length <= 320 ? address : `sha256:${createHash("sha256").update(address).digest("hex")}`;
}

/**
 * What an attempt on the account of `email` is counted by: the address, or,
 * from a browser known to the account (its id, known-devices.ts), that
 * browser's own count. (No address is without an "@".)
 */
export function attemptCounter(email: string, device: string | null): string {
  return device ? `device:${device}` : key(email);
}

/**
 * Counts an attempt by `counter` (attemptCounter) as it starts: null when it may go on, else
 * the refusal (a pause, or ten attempts under way and wrong): its code, its
 * words and its seconds. The wrong ones count again from zero when the last attempt is
 * over an hour old or the pause has ended. Counts untouched for a day go
 * (anyone's) in the same statement.
 */
export async function startPasswordAttempt(
  counter: string,
): Promise<{ code: string; message: string; seconds: number } | null> {
  // The wrong ones count again from zero (fresh); the attempts under way stopped counting (stale).
  const fresh = "a.paused_until <= now() OR a.last_attempt_at < now() - interval '1 hour'";
  const stale = "a.last_attempt_at < now() - make_interval(secs => $3)";
  const counted = await webDatabasePool().query(
    `WITH old AS (
       DELETE FROM password_attempts WHERE last_attempt_at < now() - interval '1 day' AND email <> $1
     )
     INSERT INTO password_attempts AS a (email, wrong, under_way, last_attempt_at)
     VALUES ($1, 0, 1, now())
     ON CONFLICT (email) DO UPDATE SET
       wrong = CASE WHEN ${fresh} THEN 0 ELSE a.wrong END,
       under_way = CASE WHEN ${stale} THEN 1 ELSE a.under_way + 1 END,
       last_attempt_at = now(),
       paused_until = NULL
     WHERE NOT coalesce(a.paused_until > now(), false)
       AND (CASE WHEN ${fresh} THEN 0 ELSE a.wrong END) + (CASE WHEN ${stale} THEN 0 ELSE a.under_way END) < $2`,
    [counter, ATTEMPTS_BEFORE_PAUSE, UNDER_WAY_SECONDS],
  );
  if (counted.rowCount === 1) return null;
  const { rows } = await webDatabasePool().query<{ seconds: number }>(
    `SELECT ceil(extract(epoch FROM paused_until - now()))::int AS seconds
     FROM password_attempts WHERE email = $1 AND paused_until > now()`,
    [counter],
  );
  const paused = rows[0]?.seconds;
  return paused !== undefined
    ? { code: PASSWORD_PAUSED, message: PASSWORD_PAUSED_TEXT, seconds: paused }
    : { code: PASSWORD_ATTEMPTS_UNDER_WAY, message: TOO_MANY_ATTEMPTS, seconds: UNDER_WAY_SECONDS };
}

/**
 * Ends an attempt: a wrong password stays counted, and the tenth starts the
 * pause; anything else is given back. Logged, not thrown: the request's own
 * answer stands (an attempt left under way stops counting within a minute).
 */
export async function endPasswordAttempt(counter: string, wrongPassword: boolean): Promise<void> {
  await webDatabasePool()
    .query(
      wrongPassword
        ? `UPDATE password_attempts SET
           under_way = greatest(under_way - 1, 0),
           wrong = wrong + 1,
           paused_until = CASE WHEN wrong + 1 >= $2 AND NOT coalesce(paused_until > now(), false)
                               THEN now() + make_interval(secs => $3) ELSE paused_until END
         WHERE email = $1`
        : "UPDATE password_attempts SET under_way = greatest(under_way - 1, 0) WHERE email = $1",
      wrongPassword ? [counter, ATTEMPTS_BEFORE_PAUSE, PAUSE_SECONDS] : [counter],
    )
    .catch((error: unknown) => console.error("[auth] could not end a password attempt", error));
}

/**
 * Ends the count and any pause for `email`: its password is new. (Its known browsers' counts end
 * with their cookies, which a new password voids: known-devices.ts.)
 */
export async function forgetPasswordAttempts(email: string): Promise<void> {
  await webDatabasePool().query("DELETE FROM password_attempts WHERE email = $1", [key(email)]);
}
