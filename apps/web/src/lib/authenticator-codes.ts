/**
 * An authenticator code is accepted once (RFC 6238 §5.2). Better Auth's
 * two-factor plugin accepts a code as often as it is valid (its 30 s step and
 * one on each side), so whoever saw one typed (over a shoulder, in a screen
 * recording, through a page that relays it) could use it again for up to a
 * minute and a half. Before the plugin checks a code, the code is claimed for
 * its person; one claimed already is refused. When the request ends, an
 * accepted code stays claimed for as long as it could be accepted, and a
 * refused one is given back, so that a right code refused for another reason
 * (an expired sign-in) can be typed again. A request that ends without either
 * (a crash) leaves a claim that lapses in half a minute.
 */
import "server-only";
import { webDatabasePool } from "./database";

/** While the plugin checks the code. */
const PENDING_SECONDS = 30;
/** Longer than a code lives (90 s) by the clock differences between web processes. */
const ACCEPTED_SECONDS = 120;

/** Whether `code` can be an authenticator code (anything else is refused by the plugin, and needs no claim). */
export function isAuthenticatorCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * Claims `code` for `userId`: false when it is claimed already (someone used
 * it, or is using it now). Lapsed claims, anyone's, go in the same statement:
 * the table holds the last two minutes' codes and no more.
 */
export async function claimAuthenticatorCode(userId: string, code: string): Promise<boolean> {
  if (!isAuthenticatorCode(code)) return true;
  const { rowCount } = await webDatabasePool().query(
    `WITH lapsed AS (
       DELETE FROM used_authenticator_codes WHERE used_until <= now() AND NOT (user_id = $1 AND code = $2)
     )
     INSERT INTO used_authenticator_codes (user_id, code, used_until)
     VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT (user_id, code) DO UPDATE SET used_until = excluded.used_until
       WHERE used_authenticator_codes.used_until <= now()`,
    [userId, code, PENDING_SECONDS],
  );
  return rowCount === 1;
}

/**
 * Ends a claim's request: an accepted code stays claimed while it could be
 * accepted again, a refused one is given back. Logged, not thrown: the
 * request's own answer stands.
 */
export async function settleAuthenticatorCode(userId: string, code: string, accepted: boolean): Promise<void> {
  await webDatabasePool()
    .query(
      accepted
        ? "UPDATE used_authenticator_codes SET used_until = now() + make_interval(secs => $3) WHERE user_id = $1 AND code = $2"
        : "DELETE FROM used_authenticator_codes WHERE user_id = $1 AND code = $2",
      accepted ? [userId, code, ACCEPTED_SECONDS] : [userId, code],
    )
    .catch((error: unknown) => console.error("[auth] could not settle an authenticator code", error));
}
