/**
 * An authenticator code is accepted once (RFC 6238 §5.2). Better Auth's
 * two-factor plugin accepts a code as often as it is valid (its 30 s step and
 * one on each side), so whoever saw one typed (over a shoulder, in a screen
 * recording, through a page that relays it) could use it again for up to a
 * minute and a half. Before the plugin checks a code, the code is claimed for
 * its person; one claimed already is refused. A claim whose request then
 * fails (a wrong code, an expired sign-in) is released, so that a right code
 * refused for another reason can be typed again.
 */
import "server-only";
import type { createPool } from "@tasks/db";

type Pool = ReturnType<typeof createPool>;

/** Longer than a code lives (90 s) by the clock differences between web processes. */
const CLAIM_SECONDS = 120;

/** Only what can be a code: anything else is refused by the plugin and needs no claim. */
const CODE = /^\d{6}$/;

/** The error's code, for the pages (auth-errors.ts says it in words). */
export const CODE_ALREADY_USED = "CODE_ALREADY_USED";

/**
 * Claims `code` for `userId`: false when it was claimed in the last two
 * minutes (someone used it, or is using it now). Expired claims of the person
 * go in the same statement.
 */
export async function claimAuthenticatorCode(pool: Pool, userId: string, code: string): Promise<boolean> {
  if (!CODE.test(code)) return true;
  const { rowCount } = await pool.query(
    `WITH expired AS (
       DELETE FROM used_authenticator_codes WHERE user_id = $1 AND code <> $2 AND used_until <= now()
     )
     INSERT INTO used_authenticator_codes (user_id, code, used_until)
     VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT (user_id, code) DO UPDATE SET used_until = excluded.used_until
       WHERE used_authenticator_codes.used_until <= now()`,
    [userId, code, CLAIM_SECONDS],
  );
  return rowCount === 1;
}

/** Gives back a claim whose request failed. Logged, not thrown: the claim ends in two minutes anyway. */
export async function releaseAuthenticatorCode(pool: Pool, userId: string, code: string): Promise<void> {
  await pool
    .query("DELETE FROM used_authenticator_codes WHERE user_id = $1 AND code = $2", [userId, code])
    .catch((error: unknown) => console.error("[auth] could not release an authenticator code", error));
}
