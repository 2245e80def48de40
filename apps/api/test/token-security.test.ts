/**
 * The contract's "Authentication" section, attacked: every way a request can
 * carry a token the Task API must refuse (401 with the right challenge, a
 * problem document, and nothing written), the path-versus-`sub` check (403),
 * the verified-token cache, JWKS key rotation with its refetch cooldown, and
 * statelessness (no database query on the auth path).
 */
import assert from "node:assert/strict";
import { createHmac, randomUUID, webcrypto } from "node:crypto";
import { describe, type TestContext as NodeTestContext, test } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { type CryptoKey, exportJWK, generateKeyPair } from "jose";
import {
  AUDIENCE,
  assertProblem,
  bearer,
  createTask,
  ISSUER,
  JwksServer,
  mintToken,
  newSigningKey,
  type SigningKey,
  setup,
  storedTasks,
  type TestUser,
  taskRoutes,
  watchPool,
} from "./helper";

const ctx = await setup();
/** Its own app, JWKS server and key cache, untouched until the rotation test runs (fresh cooldown state). */
const rotation = await setup();
/**
 * Its own app and caches for the test that moves the clock on by minutes: the key lookup and the
 * token cache of `ctx` keep no times from a clock that later goes back.
 */
const expiry = await setup();

/** A user an attack tries to reach, with one task so PUT, PATCH and DELETE have a target. Fresh for each test. */
interface Victim extends TestUser {
  taskId: string;
}

async function newVictim(): Promise<Victim> {
  const user = await ctx.newUser();
  const task = await createTask(ctx.app, user, { title: "The victim's task" });
  return { ...user, taskId: task.id };
}

/** A key the API has never published. */
const attacker = await newSigningKey();

const CHALLENGE = 'Bearer realm="tasks"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="tasks", error="invalid_token"';

// ---------------------------------------------------------------- token crafting

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The claims Better Auth puts in an access token, for `sub`, valid for 15 minutes. */
function claimsFor(sub: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    sub,
    sid: randomUUID(),
    email: `${sub}@example.test`,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 900,
    ...extra,
  };
}

/** A compact JWS over exactly this header and payload, signed with an Ed25519 private key (no library checks). */
async function signEd25519(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: CryptoKey,
): Promise<string> {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = await webcrypto.subtle.sign(
    "Ed25519",
    privateKey as webcrypto.CryptoKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

/**
 * A key of another asymmetric algorithm than Better Auth's (EdDSA), published in the JWKS the API
 * trusts: jose's key lookup would hand it out for a token whose header names that algorithm, so
 * only the API's own allow-list refuses such a token.
 */
async function publishOtherAlgorithmKey(alg: "ES256" | "RS256" | "PS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const key = { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
  ctx.jwks.keys.push(key);
  return key;
}

/** The classic algorithm-confusion forgery: HS256 keyed with public material. */
function signHs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Buffer | string): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** The same token with one character of its signature replaced (in the middle: every bit there counts). */
function withSignatureCharChanged(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const at = Math.floor(signature.length / 2);
  const replacement = signature[at] === "A" ? "B" : "A";
  return `${header}.${payload}.${signature.slice(0, at)}${replacement}${signature.slice(at + 1)}`;
}

// ---------------------------------------------------------------- assertions

type Response = LightMyRequestResponse;

/** A 401 or 403 problem document: nothing but the four standard members, all set. */
function assertAuthProblem(response: Response, status: 401 | 403): Record<string, unknown> {
  const body = assertProblem(response, status);
  assert.deepEqual(Object.keys(body).sort(), ["detail", "status", "title", "type"]);
  assert.ok((body.type as string).length > 0, "type is set");
  assert.equal(body.title, status === 401 ? "Unauthorized" : "Forbidden");
  assert.ok((body.detail as string).length > 0, "detail is set");
  return body;
}

/**
 * 401 with `WWW-Authenticate: Bearer realm="tasks"`, plus `error="invalid_token"`
 * exactly when a token was sent; the body never echoes the token.
 */
function assertUnauthorized(response: Response, tokenSent: boolean, token?: string): void {
  assertAuthProblem(response, 401);
  assert.equal(response.headers["www-authenticate"], tokenSent ? INVALID_TOKEN_CHALLENGE : CHALLENGE);
  if (token) {
    for (const part of token.split(".").filter((segment) => segment.length > 8)) {
      assert.ok(!response.body.includes(part), "the problem document does not leak the token");
    }
  }
}

/** Every task route, reads and writes, on the victim's path and task, with these headers and query string. */
async function tryEveryRoute(
  victim: Victim,
  headers: Record<string, string>,
  query = "",
): Promise<Array<{ what: string; response: Response }>> {
  const results: Array<{ what: string; response: Response }> = [];
  for (const { namesTask: _, ...request } of taskRoutes(victim.id, victim.taskId, query)) {
    results.push({ what: `${request.method} ${request.url}`, response: await ctx.app.inject({ ...request, headers }) });
  }
  return results;
}

/**
 * The token is refused on every route with 401 invalid_token (or the plain
 * challenge when the token did not come in the Authorization header), and the
 * victim's stored tasks are exactly what they were.
 */
async function assertRefusedEverywhere(
  victim: Victim,
  headers: Record<string, string>,
  { tokenSent = true, token, query }: { tokenSent?: boolean; token?: string; query?: string } = {},
): Promise<void> {
  const before = await storedTasks(ctx.pool, victim.id);
  assert.equal(before.length, 1, "the victim's task is there to be attacked");
  for (const { what, response } of await tryEveryRoute(victim, headers, query)) {
    try {
      assertUnauthorized(response, tokenSent, token);
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
    }
  }
  assert.deepEqual(await storedTasks(ctx.pool, victim.id), before, "nothing was created, changed or deleted");
}

// ---------------------------------------------------------------- tests

describe("the Authorization header (contract: Authentication, Errors 401)", () => {
  test("no Authorization header is 401 with WWW-Authenticate: Bearer realm=tasks and no error attribute", async () => {
    await assertRefusedEverywhere(await newVictim(), {}, { tokenSent: false });
  });

  for (const header of ["Bearer", "Bearer a b", "Bearer  ", "Bearer\t<valid token> x"]) {
    test(`a malformed Bearer header (${JSON.stringify(header)}) is 401 with error="invalid_token"`, async () => {
      const victim = await newVictim();
      await assertRefusedEverywhere(victim, { authorization: header.replace("<valid token>", victim.token) });
    });
  }
  // No token was tried: the challenge alone, without an error code (RFC 6750, 3.1).
  for (const header of ["Basic x", "Basic <valid token>", "Token <valid token>", ""]) {
    test(`another scheme (${JSON.stringify(header)}) is 401 with the challenge alone`, async () => {
      const victim = await newVictim();
      const authorization = header.replace("<valid token>", victim.token);
      await assertRefusedEverywhere(victim, { authorization }, { tokenSent: false });
    });
  }
});

describe("the path's {user_id} must be the token's sub exactly (contract: Task API, Errors 403)", () => {
  test("a valid token for user A on A's own path is 200", async () => {
    const a = await ctx.newUser();
    const response = await ctx.app.inject({ method: "GET", url: `/api/${a.id}/tasks`, headers: a.auth });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), []);
  });

  test("a valid token for user A on existing user B's path is 403, and B's tasks are unchanged", async () => {
    const a = await ctx.newUser();
    const b = await ctx.newUser();
    const bTask = await createTask(ctx.app, b, { title: "B's task" });
    const before = await storedTasks(ctx.pool, b.id);
    for (const { namesTask: _, ...attempt } of taskRoutes(b.id, bTask.id)) {
      const response = await ctx.app.inject({ ...attempt, headers: a.auth });
      assertAuthProblem(response, 403);
      assert.doesNotMatch(String(response.headers["www-authenticate"] ?? ""), /invalid_token/);
      assert.ok(!response.body.includes("B's task"), "nothing of B's leaks");
    }
    assert.deepEqual(await storedTasks(ctx.pool, b.id), before);
    assert.deepEqual(await storedTasks(ctx.pool, a.id), [], "nor did anything land in A's list");
  });

  test("an upper-cased variant of A's own id in the path is 403 (case-sensitive comparison)", async () => {
    const a = await ctx.newUser();
    await createTask(ctx.app, a, { title: "A's task" });
    const before = await storedTasks(ctx.pool, a.id);
    const upper = a.id.toUpperCase();
    assert.notEqual(upper, a.id, "the id has letters to upper-case");
    for (const method of ["GET", "POST"] as const) {
      const response = await ctx.app.inject({
        method,
        url: `/api/${upper}/tasks`,
        headers: a.auth,
        ...(method === "POST" ? { payload: { title: "Via the upper-cased path" } } : {}),
      });
      assertAuthProblem(response, 403);
    }
    assert.deepEqual(await storedTasks(ctx.pool, a.id), before);
  });
});

describe("tokens the Task API must refuse: 401 invalid_token and nothing written (contract: Authentication)", () => {
  const attacks: Array<{ name: string; token: (victim: Victim) => Promise<string> }> = [
    {
      name: 'alg "none" (an unsigned token) is 401',
      token: async (victim) => `${b64url({ alg: "none" })}.${b64url(claimsFor(victim.id))}.`,
    },
    {
      name: 'alg "none" naming the real kid is 401',
      token: async (victim) =>
        `${b64url({ alg: "none", kid: ctx.key.kid, typ: "JWT" })}.${b64url(claimsFor(victim.id))}.`,
    },
    {
      name: "HS256 signed with the public key's raw bytes (algorithm confusion) is 401",
      token: async (victim) =>
        signHs256(
          { alg: "HS256", kid: ctx.key.kid },
          claimsFor(victim.id),
          Buffer.from(String(ctx.key.publicJwk.x), "base64url"),
        ),
    },
    {
      name: "HS256 signed with the public JWK's JSON (algorithm confusion) is 401",
      token: async (victim) =>
        signHs256({ alg: "HS256", kid: ctx.key.kid }, claimsFor(victim.id), JSON.stringify(ctx.key.publicJwk)),
    },
    {
      name: "the right kid but signed by a different Ed25519 key (badly signed) is 401",
      token: (victim) => mintToken({ key: { ...attacker, kid: ctx.key.kid }, claims: { sub: victim.id } }),
    },
    {
      name: "an unknown kid is 401",
      token: (victim) => mintToken({ key: attacker, claims: { sub: victim.id } }),
    },
    {
      name: "an expired token (exp 120 s ago, beyond the 30 s skew) is 401",
      token: (victim) => mintToken({ key: ctx.key, claims: { sub: victim.id }, expiresIn: -120 }),
    },
    {
      name: "a token not valid yet (nbf 120 s in the future) is 401",
      token: (victim) => mintToken({ key: ctx.key, claims: { sub: victim.id, nbf: nowSeconds() + 120 } }),
    },
    {
      name: "a token expired 45 s ago (just beyond the 30 s skew) is 401",
      token: (victim) => mintToken({ key: ctx.key, claims: { sub: victim.id }, expiresIn: -45 }),
    },
    {
      name: "a token not valid for another 45 s (just beyond the 30 s skew) is 401",
      token: (victim) => mintToken({ key: ctx.key, claims: { sub: victim.id, nbf: nowSeconds() + 45 } }),
    },
    {
      name: "a token issued over a day ago (iat a day and 2 minutes back), though its exp is ahead, is 401",
      token: async (victim) =>
        signEd25519(
          { alg: "EdDSA", kid: ctx.key.kid },
          claimsFor(victim.id, { iat: nowSeconds() - 86_400 - 120, exp: nowSeconds() + 3600 }),
          ctx.key.privateKey,
        ),
    },
    {
      name: "a token issued 2 minutes in the future (beyond the 30 s skew) is 401",
      token: async (victim) =>
        signEd25519(
          { alg: "EdDSA", kid: ctx.key.kid },
          claimsFor(victim.id, { iat: nowSeconds() + 120 }),
          ctx.key.privateKey,
        ),
    },
    {
      name: "a token without iat (its age unknown) is 401",
      token: async (victim) => {
        const { iat: _iat, ...claims } = claimsFor(victim.id);
        return signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
      },
    },
    {
      name: "a wrong-issuer token is 401",
      token: (victim) => mintToken({ key: ctx.key, claims: { sub: victim.id, iss: "https://evil.example" } }),
    },
    {
      name: "a wrong-audience token (the web app's own origin) is 401",
      token: (victim) => mintToken({ key: ctx.key, claims: { sub: victim.id, aud: ISSUER } }),
    },
    {
      name: "a token without sub is 401",
      token: async (victim) => {
        const { sub: _sub, ...claims } = claimsFor(victim.id);
        return signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
      },
    },
    {
      name: "a token without exp is 401",
      token: async (victim) => {
        const { exp: _exp, ...claims } = claimsFor(victim.id);
        return signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
      },
    },
    {
      name: "a token without iss is 401",
      token: async (victim) => {
        const { iss: _iss, ...claims } = claimsFor(victim.id);
        return signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
      },
    },
    {
      name: "a token without aud is 401",
      token: async (victim) => {
        const { aud: _aud, ...claims } = claimsFor(victim.id);
        return signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
      },
    },
    ...(["ES256", "RS256", "PS256"] as const).map((alg) => ({
      name: `a token signed with ${alg} under a key the JWKS publishes for ${alg} (Better Auth signs with EdDSA only) is 401`,
      token: async (victim: Victim) =>
        mintToken({ key: await publishOtherAlgorithmKey(alg), claims: { sub: victim.id }, header: { alg } }),
    })),
    {
      name: "a token whose sub is not a UUID is 401",
      token: () => mintToken({ key: ctx.key, claims: { sub: "not-a-uuid" } }),
    },
    {
      name: "a token whose sub is a number is 401",
      token: async (victim) =>
        signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, { ...claimsFor(victim.id), sub: 12345 }, ctx.key.privateKey),
    },
    {
      name: "a stripped signature (header.payload.) is 401",
      token: async (victim) => `${victim.token.split(".").slice(0, 2).join(".")}.`,
    },
    {
      name: "a tampered payload (sub changed, signature kept) is 401",
      token: async (victim) => {
        const other = await ctx.newUser();
        // Accepted once, so a verifier cache would know this signature.
        const accepted = await ctx.app.inject({ method: "GET", url: `/api/${other.id}/tasks`, headers: other.auth });
        assert.equal(accepted.statusCode, 200);
        const [header, payload, signature] = other.token.split(".") as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
        return `${header}.${b64url({ ...claims, sub: victim.id })}.${signature}`;
      },
    },
    {
      name: "an embedded jwk header with the attacker's own key and kid is never trusted: 401",
      token: (victim) =>
        mintToken({ key: attacker, claims: { sub: victim.id }, header: { jwk: { ...attacker.publicJwk } } }),
    },
    {
      name: "an embedded jwk header with the attacker's key under the real kid is never trusted: 401",
      token: (victim) =>
        signEd25519(
          { alg: "EdDSA", kid: ctx.key.kid, jwk: { ...attacker.publicJwk, kid: ctx.key.kid } },
          claimsFor(victim.id),
          attacker.privateKey,
        ),
    },
    {
      name: 'an unknown crit header (crit: ["x-custom"]) is 401',
      token: (victim) =>
        signEd25519(
          { alg: "EdDSA", kid: ctx.key.kid, crit: ["x-custom"], "x-custom": 1 },
          claimsFor(victim.id),
          ctx.key.privateKey,
        ),
    },
  ];

  for (const attack of attacks) {
    test(attack.name, async () => {
      const victim = await newVictim();
      const token = await attack.token(victim);
      await assertRefusedEverywhere(victim, bearer(token), { token });
    });
  }

  for (const header of ["jku", "x5u"] as const) {
    test(`a ${header} header pointing to the attacker's key server is never followed: 401 and 0 fetches`, async () => {
      const attackerJwks = await JwksServer.start([attacker]);
      const victim = await newVictim();
      try {
        const token = await mintToken({
          key: attacker,
          claims: { sub: victim.id },
          header: { [header]: attackerJwks.url },
        });
        await assertRefusedEverywhere(victim, bearer(token), { token });
        // The same with the real kid, in case a verifier trusted the URL for a key it knows.
        const sameKid = await mintToken({
          key: { ...attacker, kid: ctx.key.kid },
          claims: { sub: victim.id },
          header: { [header]: attackerJwks.url },
        });
        await assertRefusedEverywhere(victim, bearer(sameKid), { token: sameKid });
        assert.equal(attackerJwks.fetches, 0, `the ${header} URL was never fetched`);
      } finally {
        await attackerJwks.close();
      }
    });
  }

  test("a token only in the query string (?access_token=) is 401 with no error attribute", async () => {
    const victim = await newVictim();
    await assertRefusedEverywhere(victim, {}, { tokenSent: false, query: `?access_token=${victim.token}` });
  });

  test("a token only in a Cookie is 401 with no error attribute", async () => {
    const victim = await newVictim();
    const t = victim.token;
    await assertRefusedEverywhere(
      victim,
      { cookie: `access_token=${t}; token=${t}; jwt=${t}; authorization=Bearer%20${t}` },
      { tokenSent: false },
    );
  });
});

describe("clock skew: at most 30 s (contract: Authentication)", () => {
  test("a token expired 10 s ago is still accepted (within the 30 s clock skew)", async () => {
    const victim = await newVictim();
    const token = await mintToken({ key: ctx.key, claims: { sub: victim.id }, expiresIn: -10 });
    const response = await ctx.app.inject({ method: "GET", url: `/api/${victim.id}/tasks`, headers: bearer(token) });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(
      (response.json() as Array<{ id: string }>).map((task) => task.id),
      [victim.taskId],
    );
  });

  test("a token issued a day and 10 s ago, its exp ahead, is still accepted (within the 30 s clock skew)", async () => {
    const victim = await newVictim();
    const claims = claimsFor(victim.id, { iat: nowSeconds() - 86_400 - 10, exp: nowSeconds() + 3600 });
    const token = await signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
    const response = await ctx.app.inject({ method: "GET", url: `/api/${victim.id}/tasks`, headers: bearer(token) });
    assert.equal(response.statusCode, 200, response.body);
  });

  test("a token whose nbf is 10 s in the future is accepted (within the 30 s clock skew)", async () => {
    const victim = await newVictim();
    const token = await mintToken({ key: ctx.key, claims: { sub: victim.id, nbf: nowSeconds() + 10 } });
    const response = await ctx.app.inject({ method: "GET", url: `/api/${victim.id}/tasks`, headers: bearer(token) });
    assert.equal(response.statusCode, 200, response.body);
  });
});

describe("the verified-token cache (contract: one token, one verification)", () => {
  test("an accepted (so cached) token with one signature character changed is 401", async () => {
    const user = await ctx.newUser();
    await createTask(ctx.app, user, { title: "Mine" });
    const url = `/api/${user.id}/tasks`;
    const accepted = await ctx.app.inject({ method: "GET", url, headers: user.auth });
    assert.equal(accepted.statusCode, 200);

    const forged = withSignatureCharChanged(user.token);
    assert.notEqual(forged, user.token);
    const before = await storedTasks(ctx.pool, user.id);
    for (const request of [
      { method: "GET", url },
      { method: "POST", url, payload: { title: "Forged" } },
      { method: "DELETE", url: `${url}/${before[0]?.id}` },
    ] as const) {
      assertUnauthorized(await ctx.app.inject({ ...request, headers: bearer(forged) }), true, forged);
    }
    assert.deepEqual(await storedTasks(ctx.pool, user.id), before);

    // The original is still good, and the cache does not carry authorization over to another user's path.
    assert.equal((await ctx.app.inject({ method: "GET", url, headers: user.auth })).statusCode, 200);
    const other = await ctx.newUser();
    assertAuthProblem(await ctx.app.inject({ method: "GET", url: `/api/${other.id}/tasks`, headers: user.auth }), 403);
  });

  test("a signature spelt otherwise (the spare bits of its last character set, or `=` padding) is 401 everywhere, and the token as written is 200", async () => {
    // Each spelling decodes to the same 64 bytes and verifies; taken, each would be another cache entry.
    const victim = await newVictim();
    const token = await signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claimsFor(victim.id), ctx.key.privateKey);
    const last = token.at(-1) as string;
    const spareBitsSet = `${token.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
    for (const spelling of [spareBitsSet, `${token}==`]) {
      await assertRefusedEverywhere(victim, bearer(spelling), { token: spelling });
    }
    const url = `/api/${victim.id}/tasks`;
    assert.equal((await ctx.app.inject({ method: "GET", url, headers: bearer(token) })).statusCode, 200);
  });

  test("the longest token the web app writes (an address of 254 characters) is taken", async () => {
    const user = await ctx.newUser();
    const claims = claimsFor(user.id, { email: `${"a".repeat(241)}@example.test`, iss: ISSUER, aud: AUDIENCE });
    const token = await signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
    assert.ok(token.length > 600, `a long token (${token.length} characters)`);
    const url = `/api/${user.id}/tasks`;
    assert.equal((await ctx.app.inject({ method: "GET", url, headers: bearer(token) })).statusCode, 200);
  });

  test("a validly signed token longer than 4 kB (an address of 5,000 characters) is 401 everywhere", async () => {
    // Each token checked is kept until it expires: 10,000 of 15 kB would hold 150 MB of the cache.
    const victim = await newVictim();
    const claims = claimsFor(victim.id, { email: `${"a".repeat(5_000)}@example.test` });
    const token = await signEd25519({ alg: "EdDSA", kid: ctx.key.kid }, claims, ctx.key.privateKey);
    await assertRefusedEverywhere(victim, bearer(token), { token });
  });

  test("an accepted (so cached) token is 401 once it has expired, and a write sent with it then does nothing", async (t: NodeTestContext) => {
    // Frozen, hand-advanced clock (Date only: the verifier, its cache and jose read Date.now), so the
    // token can expire within the test.
    t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
    const { app, pool } = expiry;
    const user = await expiry.newUser();
    const task = await createTask(app, user, { title: "Mine, before the expiry" });
    const url = `/api/${user.id}/tasks`;
    const shortLived = await mintToken({
      key: expiry.key,
      claims: { sub: user.id, sid: user.sessionId },
      expiresIn: 60,
    });
    const accepted = await app.inject({ method: "GET", url, headers: bearer(shortLived) });
    assert.equal(accepted.statusCode, 200, "accepted, so verified and cached");

    // Past its exp and past the 30 s a fresh check allows, but well within the 5 minutes a cached key
    // counts: only the cache's own expiry can refuse it here.
    t.mock.timers.tick(60_000 + 45_000);
    const before = await storedTasks(pool, user.id);
    const answers: Array<{ what: string; response: Response }> = [];
    for (const request of [
      { method: "POST", url, payload: { title: "After the expiry" } },
      { method: "PATCH", url: `${url}/${task.id}`, payload: { title: "Renamed after the expiry" } },
      { method: "DELETE", url: `${url}/${task.id}` },
      { method: "GET", url },
    ] as const) {
      const response = await app.inject({ ...request, headers: bearer(shortLived) });
      answers.push({ what: `${request.method} ${request.url}`, response });
    }
    // The writes first: what an expired token got done matters more than what it was told.
    assert.deepEqual(await storedTasks(pool, user.id), before, "nothing was created, changed or deleted");
    for (const { what, response } of answers) {
      try {
        assertUnauthorized(response, true, shortLived);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      }
    }
    // The person's other, unexpired token still works: the refusal was the expiry's.
    assert.equal((await app.inject({ method: "GET", url, headers: user.auth })).statusCode, 200);
  });

  test("an accepted (so cached) token is 401 once it is a day old, though its exp is ahead (ended sessions are remembered a day)", async (t: NodeTestContext) => {
    t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
    const { app, pool } = expiry;
    const user = await expiry.newUser();
    const url = `/api/${user.id}/tasks`;
    const claims = claimsFor(user.id, {
      sid: user.sessionId,
      iat: nowSeconds() - 86_400 + 60,
      exp: nowSeconds() + 3600,
    });
    const ageing = await signEd25519({ alg: "EdDSA", kid: expiry.key.kid }, claims, expiry.key.privateKey);
    const accepted = await app.inject({ method: "GET", url, headers: bearer(ageing) });
    assert.equal(accepted.statusCode, 200, "accepted, so verified and cached");

    // A day and 45 s after its iat: past what a fresh check allows, well within the 5 minutes a
    // cached key counts and an hour before its exp. Only the cache's bound by age can refuse it.
    t.mock.timers.tick(60_000 + 45_000);
    const before = await storedTasks(pool, user.id);
    const created = await app.inject({ method: "POST", url, payload: { title: "A day on" }, headers: bearer(ageing) });
    assert.deepEqual(await storedTasks(pool, user.id), before, "nothing was created");
    assertUnauthorized(created, true, ageing);
    assertUnauthorized(await app.inject({ method: "GET", url, headers: bearer(ageing) }), true, ageing);
    assert.equal((await app.inject({ method: "GET", url, headers: user.auth })).statusCode, 200);
  });
});

describe("key rotation (contract: rotated keys work without a restart)", () => {
  test("a token signed with a newly published key is accepted, and unknown kids re-fetch at most once per cooldown", async (t: NodeTestContext) => {
    // Frozen, hand-advanced clock (Date only) so the 1 s cooldown is deterministic.
    t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
    const { app, jwks } = rotation;
    const user = await rotation.newUser();
    const url = `/api/${user.id}/tasks`;

    assert.equal(jwks.fetches, 0, "a fresh API has not fetched the keys yet");
    assert.equal((await app.inject({ method: "GET", url, headers: user.auth })).statusCode, 200);
    assert.equal(jwks.fetches, 1, "the first token fetched the JWKS once");

    // The web app rotates: a new key is published and new tokens use it.
    const next = await newSigningKey();
    jwks.keys.push(next);
    t.mock.timers.tick(1_500); // past the cooldown since the last fetch
    const rotated = await mintToken({ key: next, claims: { sub: user.id } });
    const accepted = await app.inject({ method: "GET", url, headers: bearer(rotated) });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(jwks.fetches, 2, "the unknown kid triggered exactly one re-fetch");
    // Tokens under the old key still work, without another fetch.
    assert.equal((await app.inject({ method: "GET", url, headers: user.auth })).statusCode, 200);
    assert.equal(jwks.fetches, 2);

    // A stream of unknown kids (an attacker, or garbage) cannot make the API hammer the JWKS.
    t.mock.timers.tick(1_500);
    let before = jwks.fetches;
    for (let i = 0; i < 5; i++) {
      const stranger = await newSigningKey();
      const token = await mintToken({ key: stranger, claims: { sub: user.id } });
      assertUnauthorized(await app.inject({ method: "GET", url, headers: bearer(token) }), true, token);
    }
    // The first, past the cooldown, re-fetches (a rotated key would be found); the rest must not.
    assert.equal(jwks.fetches - before, 1, "5 unknown kids in a row: exactly one re-fetch");

    // The same when they arrive all at once.
    t.mock.timers.tick(1_500);
    before = jwks.fetches;
    const strangers = await Promise.all(
      Array.from({ length: 5 }, async () => mintToken({ key: await newSigningKey(), claims: { sub: user.id } })),
    );
    const responses = await Promise.all(
      strangers.map((token) => app.inject({ method: "GET", url, headers: bearer(token) })),
    );
    for (const [i, response] of responses.entries()) assertUnauthorized(response, true, strangers[i]);
    assert.equal(jwks.fetches - before, 1, "5 concurrent unknown kids: exactly one re-fetch");

    // And the rotated key still counts after all that.
    assert.equal((await app.inject({ method: "GET", url, headers: bearer(rotated) })).statusCode, 200);

    // A key published just after a fetch (a rotation within the cooldown) is not refused: the
    // lookup waits for the next fetch. (jose alone could not re-fetch: the frozen clock keeps it
    // in its cooldown, so only that wait can find the key.)
    const newest = await newSigningKey();
    jwks.keys.push(newest);
    t.mock.timers.tick(10);
    before = jwks.fetches;
    const pending = app.inject({
      method: "GET",
      url,
      headers: bearer(await mintToken({ key: newest, claims: { sub: user.id } })),
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // (real time) well inside the cooldown
    assert.equal(jwks.fetches, before, "no re-fetch within the cooldown: the lookup waits for it to pass");
    const waited = await pending;
    assert.equal(waited.statusCode, 200, waited.body);
    assert.equal(jwks.fetches - before, 1, "one re-fetch once the cooldown was over");

    // Unknown kids arriving together within the cooldown share that one re-fetch.
    t.mock.timers.tick(10);
    before = jwks.fetches;
    const burst = await Promise.all(
      Array.from({ length: 20 }, async () => mintToken({ key: await newSigningKey(), claims: { sub: user.id } })),
    );
    const refused = await Promise.all(burst.map((token) => app.inject({ method: "GET", url, headers: bearer(token) })));
    for (const [i, response] of refused.entries()) assertUnauthorized(response, true, burst[i]);
    assert.equal(jwks.fetches - before, 1, "20 unknown kids at once: one shared re-fetch");

    // Something that is not a kid at all (too long, or not of a kid's characters; the token itself
    // well under the length refused before any look at it) is refused without a fetch or a wait.
    for (const kid of ["k".repeat(100), "../keys"]) {
      t.mock.timers.tick(10);
      before = jwks.fetches;
      const odd = await mintToken({ key: { ...(await newSigningKey()), kid }, claims: { sub: user.id } });
      assert.ok(odd.length < 1_000);
      assertUnauthorized(await app.inject({ method: "GET", url, headers: bearer(odd) }), true, odd);
      assert.equal(jwks.fetches, before, kid);
    }
  });
});

describe("statelessness: no database query on the auth path (contract: no auth database lookup per request)", () => {
  /** Counts what the app asks of the pool: Drizzle's node-postgres driver calls pool.query; transactions pool.connect(). */
  async function countQueries(run: () => Promise<void>): Promise<{ queries: number; connects: number }> {
    const { statements, checkouts } = await watchPool(ctx.pool, run);
    return { queries: statements.length, connects: checkouts };
  }

  async function statelessUsers(): Promise<{ a: TestUser; b: TestUser }> {
    const a = await ctx.newUser();
    const b = await ctx.newUser();
    await createTask(ctx.app, a, { title: "A's task" });
    return { a, b };
  }

  test("a 401 and a 403 run zero queries; a successful GET list runs exactly one (no user or session lookup)", async () => {
    const { a, b } = await statelessUsers();
    // A fresh token (not in the verifier's cache), so the full verification path runs.
    const fresh = await mintToken({ key: ctx.key, claims: { sub: a.id } });

    const refused = await countQueries(async () => {
      const expired = await mintToken({ key: ctx.key, claims: { sub: a.id }, expiresIn: -120 });
      assertUnauthorized(
        await ctx.app.inject({ method: "GET", url: `/api/${a.id}/tasks`, headers: bearer(expired) }),
        true,
      );
      assertUnauthorized(await ctx.app.inject({ method: "GET", url: `/api/${a.id}/tasks` }), false);
    });
    assert.deepEqual(refused, { queries: 0, connects: 0 }, "401: no query");

    const forbidden = await countQueries(async () => {
      assertAuthProblem(
        await ctx.app.inject({ method: "POST", url: `/api/${b.id}/tasks`, headers: a.auth, payload: { title: "x" } }),
        403,
      );
      assertAuthProblem(await ctx.app.inject({ method: "GET", url: `/api/${b.id}/tasks`, headers: a.auth }), 403);
    });
    assert.deepEqual(forbidden, { queries: 0, connects: 0 }, "403: no query");

    const listed = await countQueries(async () => {
      const response = await ctx.app.inject({ method: "GET", url: `/api/${a.id}/tasks`, headers: bearer(fresh) });
      assert.equal(response.statusCode, 200);
      assert.equal((response.json() as unknown[]).length, 1);
    });
    assert.deepEqual(listed, { queries: 1, connects: 0 }, "200: the list query and nothing else");
  });

  test("the query counter itself sees the app's queries and check-outs (so zero means zero)", async () => {
    const user = await ctx.newUser();
    const counts = await countQueries(async () => {
      await createTask(ctx.app, user, { title: "Counted" });
    });
    assert.ok(counts.queries + counts.connects >= 1, "a create is seen by the counter");
    // The app never checks a connection out itself, so show here that one would be counted.
    const checkedOut = await countQueries(async () => {
      const client = await ctx.pool.connect();
      client.release();
    });
    assert.deepEqual(checkedOut, { queries: 0, connects: 1 }, "a direct check-out is seen by the counter");
  });
});
