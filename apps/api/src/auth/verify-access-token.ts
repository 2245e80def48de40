/**
 * Stateless verification of the access tokens Better Auth issues: one token,
 * one signature check against the published JWKS, no database. `jose` does
 * the cryptography; this module fixes the policy.
 */
import { isUuid } from "@tasks/task-schema";
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";

export interface AccessTokenPolicy {
  /** Where the public keys are published (Better Auth's /api/auth/jwks). */
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export interface VerifiedToken {
  /** The user id: every task query is scoped to it. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** Why a token was refused; the client only ever sees a generic 401. */
export class InvalidTokenError extends Error {}

/** The keys could not be fetched: we cannot say yes or no (503, not 401). */
export class KeysUnavailableError extends Error {}

/** Only the asymmetric algorithm Better Auth is configured with; never "none" or HMAC. */
const ALLOWED_ALGORITHMS = ["EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 30;
/** A key dropped from the JWKS stops counting at most this long after (jose's key cache). */
const KEYS_MAX_AGE_MS = 5 * 60_000;
/** An unknown `kid` re-fetches the JWKS at most once per this period. */
const REFETCH_COOLDOWN_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;

export type AccessTokenVerifier = (token: string) => Promise<VerifiedToken>;

export function createAccessTokenVerifier(policy: AccessTokenPolicy): AccessTokenVerifier {
  // jose's remote key set looks keys up by `kid` in the JWKS we configured; it
  // never follows a token's `jku`/`x5u` nor trusts an embedded `jwk`.
  const getKey = createRemoteJWKSet(new URL(policy.jwksUrl), {
    cacheMaxAge: KEYS_MAX_AGE_MS,
    cooldownDuration: REFETCH_COOLDOWN_MS,
    timeoutDuration: 5_000,
  });
  const cache = new VerifiedTokenCache(CACHE_MAX_ENTRIES);

  return async function verifyAccessToken(token: string): Promise<VerifiedToken> {
    const now = Date.now();
    const cached = cache.get(token, now);
    if (cached) return cached;
    const verified = await verifyWithJose(token, getKey, policy);
    // Kept until the token's own expiry (stricter than the 30 s tolerance a
    // fresh check allows) and never longer than a cached key would count.
    cache.set(token, verified, Math.min(verified.exp * 1000, now + KEYS_MAX_AGE_MS));
    return verified;
  };
}

async function verifyWithJose(
  token: string,
  getKey: JWTVerifyGetKey,
  policy: AccessTokenPolicy,
): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: ALLOWED_ALGORITHMS,
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "exp"],
      // jose already refuses any `crit` header it does not implement.
    });
    if (typeof payload.sub !== "string" || !isUuid(payload.sub) || typeof payload.exp !== "number") {
      throw new InvalidTokenError("sub must be a user id (UUID) and exp a number");
    }
    return { sub: payload.sub, exp: payload.exp };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    if (error instanceof errors.JWKSTimeout || isFetchFailure(error)) {
      throw new KeysUnavailableError("the signing keys could not be fetched");
    }
    throw new InvalidTokenError(error instanceof Error ? error.message : "invalid token");
  }
}

function isFetchFailure(error: unknown): boolean {
  // A network failure reaching the JWKS (not a bad token): fetch's TypeError,
  // or jose's error for a JWKS endpoint that answered badly.
  return (
    (error instanceof TypeError && /fetch failed/i.test(error.message)) ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError &&
      error.code === "ERR_JOSE_GENERIC" &&
      /JSON Web Key Set HTTP response/.test(error.message))
  );
}

/**
 * Signature checks are the largest CPU cost of a request, and a browser sends
 * the same token for its whole lifetime. Entries are keyed by the entire
 * token (a hash of it cost more than the lookup saves), so a token differing
 * in any byte is checked afresh. Bounded: when full, the oldest entry goes (a
 * Map iterates in insertion order); at most about 10 000 × 1 KB.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { token: VerifiedToken; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): VerifiedToken | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: VerifiedToken, until: number): void {
    if (until <= Date.now()) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { token, until });
  }
}
