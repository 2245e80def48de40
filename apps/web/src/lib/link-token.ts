/**
 * The token of an emailed confirmation link (Better Auth's: HS256 with the
 * secret, an hour's `exp`): what it says, read two ways. Unchecked, where
 * Better Auth checks it (or has refused it) and only the landing depends on
 * it; checked, where what it says is acted on or shown.
 */
import { decodeJwt, jwtVerify } from "jose";

/** What a link's token claims. */
export interface LinkClaims {
  email?: unknown;
  updateTo?: unknown;
  requestType?: unknown;
  userId?: unknown;
  iat?: unknown;
}

/** What `token` says, unchecked: nothing when it is not a token. */
export function unverifiedLinkClaims(token: unknown): LinkClaims {
  try {
    return decodeJwt(String(token));
  } catch {
    return {};
  }
}

/** What `token` says if this site signed it (with `secret`) and it has not expired; else null. */
export async function verifiedLinkClaims(token: unknown, secret: string): Promise<LinkClaims | null> {
  if (typeof token !== "string") return null;
  try {
    return (await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] })).payload;
  } catch {
    return null;
  }
}
