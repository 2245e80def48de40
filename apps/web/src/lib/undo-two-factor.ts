/**
 * The way back for an owner shut out by a second factor that is not theirs.
 * Whoever knows the password can turn two-factor sign-in on with their own
 * authenticator app: the owner's sessions end, and a password reset by email
 * no longer gets them in (every password sign-in asks for a code they never
 * had, and so do turning it off and changing the password or the address).
 * So the email that says it was turned on carries a link, for
 * UNDO_LINK_DAYS, that turns that very second factor off with a new password
 * (app/(auth)/undo-two-factor, whose action undoes it). It is bound to the account's second factor as
 * it was when the email went, and to the address it went to: turned off, or off and on again, or the
 * account moved to another address since (whoever reads the old mailbox is often why), the link does
 * nothing. The price: within those days whoever reads the mailbox can use it
 * to get in without the second factor, which a reset link alone never does
 * (the sign-in after a reset still asks for a code); after them, the mailbox
 * alone no longer gets round it. An owner shut out by someone else's factor
 * has nothing else that works without us.
 */
import "server-only";
import { hkdfSync } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { webConfig } from "./config";
import { webDatabasePool } from "./database";

export const UNDO_LINK_DAYS = 7;
const PURPOSE = "undo-two-factor";

/**
 * A key of its own, derived from the secret for this one purpose (HKDF, as Better Auth derives its
 * own): nothing else this site signs with the secret (Better Auth's links, its cookies) is one of these.
 */
function linkKey(): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", webConfig().secret, "", "tasks:undo-two-factor-link:v1", 32));
}

/**
 * The link for the email saying two-factor sign-in was turned on (sent to `email`), for the
 * account's second factor as it is now; null when it has none.
 */
export async function undoTwoFactorLink(userId: string, email: string): Promise<string | null> {
  const { rows } = await webDatabasePool().query<{ id: string }>(
    "SELECT id FROM two_factors WHERE user_id = $1 AND verified",
    [userId],
  );
  const twoFactorId = rows[0]?.id;
  if (!twoFactorId) return null;
  const token = await new SignJWT({ purpose: PURPOSE, tf: twoFactorId, em: email.toLowerCase() })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${UNDO_LINK_DAYS}d`)
    .sign(linkKey());
  const link = new URL("/undo-two-factor", webConfig().baseUrl);
  link.searchParams.set("token", token);
  return link.href;
}

/** What a link that still works undoes: whose second factor, and the address the link went to. */
export interface UndoableTwoFactor {
  userId: string;
  email: string;
  twoFactorId: string;
}

/**
 * The second factor `token` undoes, if this site signed it, it has not expired, the account still
 * has that second factor on, and its address is still the one the link was sent to.
 */
export async function readUndoTwoFactorLink(token: unknown): Promise<UndoableTwoFactor | null> {
  if (typeof token !== "string" || token === "") return null;
  let claims: Record<string, unknown>;
  try {
    claims = (await jwtVerify(token, linkKey(), { algorithms: ["HS256"] })).payload;
  } catch {
    return null;
  }
  const { sub, tf, em } = claims;
  if (claims.purpose !== PURPOSE || typeof sub !== "string" || typeof tf !== "string" || typeof em !== "string") {
    return null;
  }
  const { rows } = await webDatabasePool().query<{ email: string }>(
    `SELECT u.email FROM users u JOIN two_factors t ON t.user_id = u.id
     WHERE u.id = $1 AND t.id = $2 AND t.verified AND u.two_factor_enabled AND lower(u.email) = $3`,
    [sub, tf, em],
  );
  const email = rows[0]?.email;
  return email ? { userId: sub, email, twoFactorId: tf } : null;
}
