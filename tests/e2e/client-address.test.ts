/**
 * The sign-in rate limit counts per client address. A client must not be able
 * to pick that address: with no trusted proxy configured (the default), a
 * made-up X-Forwarded-For changes nothing. Own database, so its counters
 * touch no other test's.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTestDatabase, startTestProduct } from "./product";

const product = await startTestProduct({ TRUSTED_PROXY_HOPS: "0" }, await createTestDatabase("client_address"));

describe("who the client is, for the sign-in rate limit", () => {
  test("a made-up X-Forwarded-For on each attempt does not escape the limit", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const response = await fetch(`${product.webUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: product.webUrl, "x-forwarded-for": `203.0.113.${i}` },
        body: JSON.stringify({ email: "nobody@example.test", password: "not the password" }),
      });
      statuses.push(response.status);
    }
    assert.ok(statuses.includes(429), `12 attempts from "12 addresses" were all let through: ${statuses.join(",")}`);
    assert.equal(statuses[0], 401);
  });
});
