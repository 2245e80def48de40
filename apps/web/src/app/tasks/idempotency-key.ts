/**
 * A new `Idempotency-Key` for an add: 128 random bits in hex. (Not
 * crypto.randomUUID: it exists only on HTTPS and localhost.)
 */
export function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
