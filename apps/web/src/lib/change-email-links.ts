/**
 * A change of address is confirmed by a link to the new address, a token
 * Better Auth signs and does not store: nothing ends it but its hour. The
 * email to the old address tells its owner to change the password if the
 * change was not theirs, so a new password must end the links asked for with
 * the old one; otherwise whoever asked (and had the password) could still
 * move the account to their address and reset the password there.
 */
import { isUuid } from "@tasks/task-schema";
import "server-only";
import { violatedUniqueConstraint } from "@tasks/db";
import { z } from "zod";
import { webDatabasePool } from "./database";
import { signInAfterLink } from "./link-landing";
import { verifiedLinkClaims } from "./link-token";

/** `?error=` on /account when such a link is followed; the page says why in words. */
export const LINK_OLDER_THAN_PASSWORD = "LINK_OLDER_THAN_PASSWORD";

/** `?error=` on /account when the new address has come to belong to another account since the link was sent. */
export const ADDRESS_TAKEN_SINCE = "ADDRESS_TAKEN_SINCE";

/** `?error=` on /account when another change of address was asked for after the link's. */
export const NEWER_CHANGE_ASKED = "NEWER_CHANGE_ASKED";

/** `?error=` on /account when the change of address was cancelled on the account page. */
export const CHANGE_CANCELLED = "CHANGE_CANCELLED";

/** Where the account's latest change of address is kept: a `verifications` row, for the hour its link lives. */
export const latestChangeOfAddressKey = (userId: string) => `change-email-latest:${userId}`;

/**
 * The latest change's address once it is cancelled: no link's address, so every link asked for
 * before is refused. (No row would let them all through.) It stays until it expires, as they do.
 */
const CANCELLED = "";

/** Whether `newEmail` is an address Better Auth sends a change's link to: an address, and not the account's own. */
export function isNewAddressFor(currentEmail: string, newEmail: string): boolean {
  return z.email().safeParse(newEmail).success && newEmail.toLowerCase() !== currentEmail.toLowerCase();
}

/**
 * A change of address was asked for: its link is the only one that may change the address. A
 * person who asked for a mistyped address (someone else's) and then for the right one must not
 * find the first link still working in a stranger's mailbox. Only an address Better Auth goes on
 * to send a link to: one that is not an address, or is the account's own, it refuses after this
 * (from the hook before it), and that must not replace the change waiting.
 */
export async function rememberLatestChangeOfAddress(
  userId: string,
  currentEmail: string,
  newEmail: string,
): Promise<void> {
  if (!isNewAddressFor(currentEmail, newEmail)) return;
  const address = newEmail.toLowerCase();
  await webDatabasePool().query(
    `WITH earlier AS (DELETE FROM verifications WHERE identifier = $1)
     INSERT INTO verifications (identifier, value, expires_at) VALUES ($1, $2, now() + interval '1 hour')`,
    [latestChangeOfAddressKey(userId), address],
  );
}

/**
 * What a change-of-address link (the `token` of a /verify-email link) may do, checked before
 * Better Auth makes the change. Refused (`refusal`, the `?error=` code) when it was issued before
 * the account's password was last set (LINK_OLDER_THAN_PASSWORD), when the latest change was
 * cancelled or ended by a new password since (CHANGE_CANCELLED, which also answers the links of
 * the changes it replaced), or when another address was asked for since (NEWER_CHANGE_ASKED).
 * `made` when its change is made already, as when it was confirmed twice (its page's "Confirm",
 * app/(auth)/confirm-email, pressed in two browsers, or a script's GET of /verify-email before):
 * Better Auth would refuse it as not valid, and its reader, told "did not go through", would try
 * the old address. That is looked at first: a new password
 * since does not undo a change made. Null when it may go on, changes no address, or is for
 * another account than the one signed in (`signedInUserId`), which Better Auth refuses as such
 * (INVALID_USER) without our reason: that is the other account's to read.
 *
 * (An address that another account has taken meanwhile is Better Auth's update failing on the
 * unique address: addressTakenResponse.) The token's signature is checked first (with the secret
 * Better Auth signs it with), so that a forged token is left to Better Auth's own answer. Its
 * `iat` has whole seconds: a link asked for in the second of a password change counts as newer,
 * so that one asked for just after it (the account page allows that in a second) works.
 */
export async function checkChangeOfAddressLink(
  token: unknown,
  secret: string,
  signedInUserId: () => Promise<string | null>,
): Promise<{ made: true } | { refusal: string } | null> {
  const claims = await verifiedLinkClaims(token, secret);
  if (!claims) return null;
  const { updateTo, userId, iat } = claims;
  if (typeof updateTo !== "string" || typeof userId !== "string" || !isUuid(userId) || typeof iat !== "number") {
    return null;
  }
  const signedIn = await signedInUserId();
  if (signedIn !== null && signedIn !== userId) return null;
  // Better Auth stamps the credential account's updated_at whenever it sets the password (change or
  // reset); the latest change of address asked for is kept by rememberLatestChangeOfAddress.
  const { rows } = await webDatabasePool().query<{
    address: string | null;
    password_set_at: Date | null;
    latest_address: string | null;
  }>(
    `SELECT (SELECT lower(email) FROM users WHERE id = $1) AS address,
            (SELECT updated_at FROM accounts WHERE user_id = $1 AND provider_id = 'credential') AS password_set_at,
            (SELECT value FROM verifications WHERE identifier = $2 AND expires_at > now()
              ORDER BY created_at DESC LIMIT 1) AS latest_address`,
    [userId, latestChangeOfAddressKey(userId)],
  );
  const { address, password_set_at: passwordSetAt, latest_address: latestAddress } = rows[0] ?? {};
  if (address === updateTo.toLowerCase()) return { made: true };
  if (passwordSetAt && iat < Math.floor(passwordSetAt.getTime() / 1000)) return { refusal: LINK_OLDER_THAN_PASSWORD };
  if (latestAddress === CANCELLED) return { refusal: CHANGE_CANCELLED };
  return latestAddress && latestAddress !== updateTo.toLowerCase() ? { refusal: NEWER_CHANGE_ASKED } : null;
}

/**
 * The latest change of address's row while its link can still make it ($1 the key;
 * `currentAddressSql`, the account's address as an SQL expression): not cancelled (nor ended by a
 * new password), not already made. (Asked for again, a cancelled address's row is written anew:
 * its old links work again, and go to the same mailbox as the new one.)
 */
const waitingChange = (currentAddressSql: string) => `SELECT id, value FROM verifications
  WHERE identifier = $1 AND expires_at > now() AND value NOT IN ('${CANCELLED}', lower(${currentAddressSql}))`;

/**
 * Ends a change: its row says cancelled, and outlives by a minute the links it refuses (each
 * expires an hour after it was signed, a moment after the row was written).
 */
const END_CHANGE = `UPDATE verifications
  SET value = '${CANCELLED}', expires_at = verifications.expires_at + interval '1 minute', updated_at = now()`;

/** The address the account is waiting to move to, for the account page; null when none. */
export async function pendingChangeOfAddress(userId: string, currentEmail: string): Promise<string | null> {
  const { rows } = await webDatabasePool().query<{ value: string }>(waitingChange("$2"), [
    latestChangeOfAddressKey(userId),
    currentEmail,
  ]);
  return rows[0]?.value ?? null;
}

/**
 * "Cancel the change" on the account page: the links of the changes asked for so far move the
 * account no more (CHANGE_CANCELLED). One statement, so a change asked for meanwhile (its row
 * replaced) is not cancelled unseen; compared with the address the account has now, not the one
 * the session read. The address it was waiting for, or null when none was (made, cancelled,
 * replaced or expired). (A link followed in the very moment of the cancel, checked just before it
 * and written just after, still moves the account.)
 */
export async function cancelChangeOfAddress(userId: string): Promise<string | null> {
  const { rows } = await webDatabasePool().query<{ address: string }>(
    `WITH waiting AS (${waitingChange("(SELECT email FROM users WHERE id = $2)")})
     ${END_CHANGE} FROM waiting WHERE verifications.id = waiting.id RETURNING waiting.value AS address`,
    [latestChangeOfAddressKey(userId), userId],
  );
  return rows[0]?.address ?? null;
}

/** A new password ends the change of address waiting (its links are refused, LINK_OLDER_THAN_PASSWORD). */
export async function endChangeOfAddress(userId: string): Promise<void> {
  await webDatabasePool().query(`${END_CHANGE} WHERE identifier = $1 AND expires_at > now()`, [
    latestChangeOfAddressKey(userId),
  ]);
}

/**
 * The answer to a /verify-email request that failed on the users' unique
 * address: the new address has come to belong to another account since the
 * link was sent (or while it was being followed). Said on /account; null for
 * any other failure. It tells a forger nothing: Better Auth verified the
 * token before it tried the change.
 */
export async function addressTakenResponse(
  request: Request,
  error: unknown,
  baseUrl: string,
  isSignedIn: () => Promise<boolean>,
): Promise<Response | null> {
  if (new URL(request.url).pathname !== "/api/auth/verify-email") return null;
  if (violatedUniqueConstraint(error) !== "users_email_unique") return null;
  // Where nobody is signed in, by way of sign-in, as every refused link (link-landing.ts).
  const landing = `/account?error=${ADDRESS_TAKEN_SINCE}`;
  const location = `${baseUrl}${(await isSignedIn()) ? landing : signInAfterLink(landing, {})}`;
  return new Response(null, { status: 302, headers: { location, "cache-control": "no-store" } });
}
