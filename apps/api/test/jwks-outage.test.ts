/**
 * When the JWKS cannot be fetched (the web app is down or failing), a token
 * that needs the keys is a 503 with Retry-After, never a 401 (the person
 * is not signed out for it); the endpoint is not asked again by every
 * request meanwhile, and once it answers, tokens work again.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { assertProblem, bearer, mintToken, setup } from "./helper";

const ctx = await setup();

/** The fetches a failing key set may get from requests since `started`: one a second (a slow machine takes more than one). */
const fetchesAllowedSince = (started: number) => 1 + Math.floor((Date.now() - started) / 1000);

test("a failing JWKS: 503 (not 401), one fetch a second at most, and 200 once it answers again", async () => {
  const user = await ctx.newUser();
  const tokens = await Promise.all(
    Array.from({ length: 10 }, () => mintToken({ key: ctx.key, claims: { sub: user.id, sid: user.sessionId } })),
  );
  const list = (token: string) =>
    ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: bearer(token) });

  ctx.jwks.failing = true;
  try {
    const started = Date.now();
    const refused = await list(user.token);
    const body = assertProblem(refused, 503);
    assert.match(String(body.detail), /Access tokens cannot be checked/);
    assert.ok(refused.headers["retry-after"], "it says when to try again");
    assert.equal(ctx.jwks.fetches, 1);

    // Ten more tokens right after: each still a 503, and no more fetches of the failing endpoint.
    for (const token of tokens) assert.equal((await list(token)).statusCode, 503);
    assert.ok(
      ctx.jwks.fetches <= fetchesAllowedSince(started),
      `the failing endpoint is not asked again within the second (${ctx.jwks.fetches} fetches)`,
    );
  } finally {
    // Whatever happened above, the next request (this test's or the next test's) finds the key set
    // answering, and past the second in which a failed fetch is not tried again.
    ctx.jwks.failing = false;
    await sleep(1_100);
  }
  const fetchedDuringTheOutage = ctx.jwks.fetches;
  assert.equal((await list(user.token)).statusCode, 200, "the keys are fetched again and the token works");
  assert.equal(ctx.jwks.fetches, fetchedDuringTheOutage + 1, "one fetch brought them");
});

test("keys fetched before the JWKS fails go on verifying new tokens under them: 200, and the rest unchanged", async () => {
  const user = await ctx.newUser();
  const list = (token: string) =>
    ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: bearer(token) });
  assert.equal((await list(user.token)).statusCode, 200, "the keys are in hand");
  const fetches = ctx.jwks.fetches;

  ctx.jwks.failing = true;
  try {
    const fresh = await mintToken({ key: ctx.key, claims: { sub: user.id, sid: user.sessionId } });
    const response = await list(fresh);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(ctx.jwks.fetches, fetches, "no fetch was needed");
  } finally {
    ctx.jwks.failing = false;
  }
});

for (const [failure, failing] of [
  ["an error", true],
  ["a 200 that is no key set", "page"],
  ["a key set cut short", "cut"],
] as const) {
  test(`keys in hand, then the JWKS answers ${failure}: made-up kids cost one fetch a second, not one each`, async () => {
    const user = await ctx.newUser();
    const list = (token: string) =>
      ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: bearer(token) });
    assert.equal((await list(user.token)).statusCode, 200, "the keys are in hand");
    // Made up: a kid the key set does not hold asks for a fetch before any signature is checked.
    const madeUp = await Promise.all(
      Array.from({ length: 10 }, () =>
        mintToken({ key: ctx.key, claims: { sub: user.id, sid: user.sessionId }, header: { kid: randomUUID() } }),
      ),
    );
    await sleep(1_100); // past the second in which an unknown kid fetches nothing
    const fetches = ctx.jwks.fetches;

    ctx.jwks.failing = failing;
    const started = Date.now();
    try {
      for (const token of madeUp) {
        const response = await list(token);
        assertProblem(response, 503);
      }
      assert.ok(ctx.jwks.fetches > fetches, "a made-up kid asks for the key set");
      assert.ok(
        ctx.jwks.fetches <= fetches + fetchesAllowedSince(started),
        "one fetch, then none within the second after it failed",
      );
      const fresh = await mintToken({ key: ctx.key, claims: { sub: user.id, sid: user.sessionId } });
      assert.equal((await list(fresh)).statusCode, 200, "the keys in hand still verify new tokens under them");
    } finally {
      ctx.jwks.failing = false;
      await sleep(1_100);
    }
  });
}
