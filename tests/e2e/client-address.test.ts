/**
 * The sign-in rate limit counts per client address. A client must not be able
 * to pick that address: with no trusted proxy configured (the default), a
 * made-up X-Forwarded-For changes nothing and the TCP peer's address is what
 * counts. Own database, so its counters touch no other test's.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, test } from "node:test";
import { createTestDatabase } from "../../scripts/lib/test-database";
import { startTestProduct } from "./product";

const product = await startTestProduct({ TRUSTED_PROXY_HOPS: "0" }, await createTestDatabase("client_address"));

/** One sign-in attempt with a wrong password, from the given local address (any of 127/8 reaches loopback). */
function attemptSignIn(from: string, forwardedFor: string): Promise<number> {
  const url = new URL(`${product.webUrl}/api/auth/sign-in/email`);
  // An address of its own each time: only the per-client limit is at play, not the per-account pause.
  const body = JSON.stringify({ email: `nobody-${crypto.randomUUID()}@example.test`, password: "not the password" });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        headers: {
          host: url.host,
          origin: product.webUrl,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-forwarded-for": forwardedFor,
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

describe("who the client is, for the sign-in rate limit", () => {
  test("a made-up X-Forwarded-For on each attempt does not escape the limit; another real address has its own", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push(await attemptSignIn("127.0.0.1", `203.0.113.${i}`));
    assert.equal(statuses[0], 401);
    assert.ok(statuses.includes(429), `12 attempts from "12 addresses" were all let through: ${statuses.join(",")}`);
    // The limit is per client, not one bucket for everybody: a different peer is still let in.
    assert.equal(await attemptSignIn("127.0.0.2", "203.0.113.1"), 401);
  });
});
