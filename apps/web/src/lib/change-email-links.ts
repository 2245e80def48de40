/**
 * A change of address is confirmed by a link to the new address, a token
 * Better Auth signs and does not store: nothing ends it but its hour. The
 * email to the old address tells its owner to change the password if the
 * change was not theirs, so a new password must end the links asked for with
 * the old one; otherwise whoever asked (and had the password) could still
 * move the account to their address and reset the password there.
 */
import "server-only";
import { decodeJwt } from "jose";
import { webDatabasePool } from "./database";

/** `?error=` on /account when such a link is followed; the page says why in words. */
export const LINK_OLDER_THAN_PASSWORD = "LINK_OLDER_THAN_PASSWORD";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `token` (the `token` of a /verify-email link) changes an address and
 * was issued before the account's password was last set. The token is read,
 * not verified: Better Auth verifies it afterwards, and a forged one can only
 * be refused here too. Its `iat` has whole seconds: a link asked for in the
 * second of a password change counts as newer, so that one asked for just
 * after it (the account page allows that in a second) works.
 */
export async function isChangeOfAddressOlderThanPassword(token: unknown): Promise<boolean> {
  if (typeof token !== "string") return false;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    return false;
  }
  const { updateTo, userId, iat } = claims;
  if (typeof updateTo !== "string" || typeof userId !== "string" || !UUID.test(userId) || typeof iat !== "number") {
    return false;
  }
  // Better Auth stamps the credential account's updated_at whenever it sets the password (change or reset).
  const { rows } = await webDatabasePool().query<{ password_set_at: Date }>(
    "SELECT updated_at AS password_set_at FROM accounts WHERE user_id = $1 AND provider_id = 'credential'",
    [userId],
  );
  const passwordSetAt = rows[0]?.password_set_at;
  return passwordSetAt !== undefined && iat < Math.floor(passwordSetAt.getTime() / 1000);
}
