/**
 * Stateless verification of the access tokens Better Auth issues: one token,
 * one signature check against the published JWKS, no database. `jose` does
 * the cryptography; this module fixes the policy.
 */
import { isUuid } from "@tasks/task-schema";
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey, jwtVerify } from "jose";

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
  /** The sign-in session the token was issued from: authenticate.ts refuses it once that has ended. */
  sid: string;
}

/** Why a token was refused; the client only ever sees a generic 401. */
export class InvalidTokenError extends Error {}

/** The keys could not be fetched: we cannot say yes or no (503, not 401). */
export class KeysUnavailableError extends Error {}

/** Only the asymmetric algorithm Better Auth is configured with; never "none" or HMAC. */
const ALLOWED_ALGORITHMS = ["EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * A token issued longer ago than this (by its `iat`, with the clock tolerance) is refused, whatever
 * its `exp` says: the revocation feed remembers an ended session for a day and a little more, so a
 * token that lived longer could come back once its session's end was forgotten. The web app issues
 * none so long (it refuses a JWT_EXPIRES_IN above a day); this holds even if one were.
 */
export const MAX_TOKEN_AGE_SECONDS = 86_400;
/** A key dropped from the JWKS stops counting at most this long after (jose's key cache). */
const KEYS_MAX_AGE_MS = 5 * 60_000;
/**
 * An unknown `kid` re-fetches the JWKS at most once per this period, so a
 * stream of made-up kids costs the web app at most one JWKS request a second.
 */
const REFETCH_COOLDOWN_MS = 1_000;
/**
 * After a JWKS fetch fails, a token that needs the keys fetched is refused
 * (503) for this long without another try: an endpoint that is down is not
 * asked again by every request.
 */
const FAILED_FETCH_COOLDOWN_MS = 1_000;
const CACHE_MAX_ENTRIES = 10_000;
/** Better Auth's kids are UUIDs; anything unlike a kid is refused without a look. */
const KID_PATTERN = /^[\w-]{1,64}$/;
/** Lookups that may wait for the next JWKS fetch at once; more are refused (a flood of made-up kids). */
const MAX_WAITING_LOOKUPS = 100;
const MAX_MISSING_KIDS = 1_000;
/**
 * Better Auth's tokens are under 1.5 kB (the claims are ids, an address of at most 254 characters
 * and two origins). A longer one is refused before any work: each token checked is kept in the
 * cache below, and 10,000 tokens of 15 kB each would hold 150 MB of it.
 */
const MAX_TOKEN_LENGTH = 4_096;
/**
 * An Ed25519 signature (64 bytes) as base64url writes it: 86 characters, the last carrying two bits
 * and four zeros. jose decodes with atob, which ignores those four bits and takes `=` padding, so
 * one signature has 32 spellings that all verify: each would be another cache entry. (Ed25519's
 * alone, as the web app's key is: another key type there would need its own length here.)
 */
const CANONICAL_SIGNATURE = /\.[\w-]{85}[AQgw]$/;

export type AccessTokenVerifier = (token: string) => Promise<VerifiedToken>;

export function createAccessTokenVerifier(policy: AccessTokenPolicy): AccessTokenVerifier {
  const getKey = createKeyLookup(new URL(policy.jwksUrl));
  const cache = new VerifiedTokenCache(CACHE_MAX_ENTRIES);

  return async function verifyAccessToken(token: string): Promise<VerifiedToken> {
    const now = Date.now();
    const cached = cache.get(token, now);
    if (cached) return cached;
    // Checked before a token is verified, so before it is cached: what the cache holds has passed.
    if (token.length > MAX_TOKEN_LENGTH || !CANONICAL_SIGNATURE.test(token)) {
      throw new InvalidTokenError("not a token Better Auth writes (too long, or its signature spelt otherwise)");
    }
    const { iat, ...verified } = await verifyWithJose(token, getKey, policy);
    // Kept until the token's own expiry or greatest age (stricter than the 30 s tolerance a
    // fresh check allows) and never longer than a cached key would count.
    const until = Math.min(verified.exp, iat + MAX_TOKEN_AGE_SECONDS) * 1000;
    cache.set(token, verified, Math.min(until, now + KEYS_MAX_AGE_MS));
    return verified;
  };
}

/**
 * The public keys for jwtVerify, by `kid`, from the configured JWKS only:
 * jose never follows a token's `jku`/`x5u` nor trusts an embedded `jwk`.
 * Keys are cached; an unknown kid re-fetches at most once per cooldown.
 *
 * Right after a rotation, a token under the new key can arrive within the
 * cooldown of a fetch that began before the key existed. Refusing it would
 * sign the person out, so such a lookup waits for the next fetch (at most a
 * second, one fetch shared by every lookup waiting) and looks again. Only
 * keys fetched after the token arrived are a final answer; kids such a fetch
 * lacked are refused at once until the next fetch.
 */
function createKeyLookup(jwksUrl: URL): JWTVerifyGetKey {
  /** When the latest successful JWKS fetch began: a key it lacks did not exist then. */
  let fetchStartedAt = 0;
  /** When the latest JWKS fetch failed (no answer, or no key set in it). */
  let fetchFailedAt = Number.NEGATIVE_INFINITY;
  const refuseWhileFetchesFail = () => {
    if (Date.now() - fetchFailedAt < FAILED_FETCH_COOLDOWN_MS) {
      throw new KeysUnavailableError("the JWKS could not be fetched a moment ago");
    }
  };
  const remote = createRemoteJWKSet(jwksUrl, {
    cacheMaxAge: KEYS_MAX_AGE_MS,
    cooldownDuration: REFETCH_COOLDOWN_MS,
    timeoutDuration: 5_000,
    // Every fetch jose makes comes through here. jose's own cooldown counts from its last successful
    // fetch only: while the endpoint fails, each token whose key is unknown (a made-up kid needs no
    // valid signature) or stale would fetch again. So the failure's cooldown is kept here.
    [customFetch]: async (url: string, options: RequestInit) => {
      refuseWhileFetchesFail();
      const startedAt = Date.now();
      try {
        const response = await fetch(url, options);
        // Read here, so that an answer that is no key set (not a 200, not JSON: a proxy's error
        // page) or one cut short counts as the failure it is, not as a fetch that found no such key.
        const body = await response.text();
        if (!isKeySet(response.status, body)) {
          throw new KeysUnavailableError(`the JWKS answered ${response.status} without a key set`);
        }
        fetchStartedAt = startedAt;
        return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
      } catch (error) {
        fetchFailedAt = Date.now();
        // Any way of not getting the keys (a timeout included) is "cannot say yes or no": a 503.
        throw error instanceof KeysUnavailableError ? error : new KeysUnavailableError("the JWKS could not be fetched");
      }
    },
  });

  let missing = { asOf: 0, kids: new Set<string>() };
  const knownMissing = (kid: string) => missing.asOf === fetchStartedAt && missing.kids.has(kid);
  const rememberMissing = (kid: string) => {
    if (missing.asOf !== fetchStartedAt || missing.kids.size >= MAX_MISSING_KIDS) {
      missing = { asOf: fetchStartedAt, kids: new Set() };
    }
    missing.kids.add(kid);
  };

  let nextFetch: Promise<void> | undefined;
  let waiting = 0;
  /** One fetch as soon as the cooldown allows, shared by every lookup waiting for it. */
  const fetchAfterCooldown = () => {
    nextFetch ??= sleep(fetchStartedAt + REFETCH_COOLDOWN_MS - Date.now())
      .then(() => remote.reload())
      .finally(() => {
        nextFetch = undefined;
      });
    return nextFetch;
  };

  return async function getKey(header, token) {
    const arrivedAt = Date.now();
    try {
      return await remote(header, token);
    } catch (error) {
      const kid = header.kid;
      if (!(error instanceof errors.JWKSNoMatchingKey) || kid === undefined || !KID_PATTERN.test(kid)) throw error;
      // Two rounds at most: a lookup that joined a fetch already under way may need the one after.
      for (let round = 0; round < 2 && fetchStartedAt < arrivedAt; round++) {
        if (knownMissing(kid)) throw error;
        // Too many waiting (a flood of made-up kids): "try again" rather than "signed out" for a real new key.
        if (waiting >= MAX_WAITING_LOOKUPS) throw new KeysUnavailableError("too many lookups of unknown keys at once");
        refuseWhileFetchesFail();
        waiting++;
        try {
          await fetchAfterCooldown();
        } finally {
          waiting--;
        }
        try {
          return await remote(header, token);
        } catch (again) {
          if (!(again instanceof errors.JWKSNoMatchingKey)) throw again;
        }
      }
      if (fetchStartedAt >= arrivedAt) rememberMissing(kid);
      throw error;
    }
  };
}

/** What jose takes as a key set: a 200 whose body is a JSON object with a `keys` array of objects. */
function isKeySet(status: number, body: string): boolean {
  if (status !== 200) return false;
  // Plain objects only, as jose checks them (an array is an object too).
  const isObject = (value: unknown): value is Record<string, unknown> =>
    Object.prototype.toString.call(value) === "[object Object]";
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) && Array.isArray(parsed.keys) && parsed.keys.every(isObject);
  } catch {
    return false;
  }
}

async function verifyWithJose(
  token: string,
  getKey: JWTVerifyGetKey,
  policy: AccessTokenPolicy,
): Promise<VerifiedToken & { iat: number }> {
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: ALLOWED_ALGORITHMS,
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // Also makes `iat` required, and refuses one in the future (beyond the tolerance).
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      // Without a session id a token could not be revoked: refused like any bad token.
      requiredClaims: ["sub", "exp", "sid"],
      // jose already refuses any `crit` header it does not implement.
    });
    const { sub, exp, iat, sid } = payload;
    if (typeof sub !== "string" || !isUuid(sub) || typeof exp !== "number" || typeof iat !== "number") {
      throw new InvalidTokenError("sub must be a user id (UUID), exp and iat numbers");
    }
    if (typeof sid !== "string" || !isUuid(sid)) throw new InvalidTokenError("sid must be a session id (UUID)");
    return { sub, exp, iat, sid: sid.toLowerCase() };
  } catch (error) {
    if (error instanceof InvalidTokenError || error instanceof KeysUnavailableError) throw error;
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
 * Map iterates in insertion order); at most 10 000 × 4 kB, about 10 000 × 1.5 kB in use.
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, REFETCH_COOLDOWN_MS))));
}
