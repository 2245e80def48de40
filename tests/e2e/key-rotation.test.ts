/**
 * Signing-key rotation, end to end: Better Auth mints a new key when the
 * current one reaches its rotation date, the JWKS publishes both, the running
 * Task API accepts tokens under the new key at once, and tokens signed with
 * the old key stay valid until they expire. Runs on its own database, because
 * it moves the keys' dates, which every other test shares.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createPool } from "@tasks/db";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from "jose";
import { createTestDatabase } from "../../scripts/lib/test-database";
import { cookiesOf, newPerson, randomClientAddress, startTestProduct } from "./product";

const databaseUrl = await createTestDatabase("key_rotation");
const product = await startTestProduct({}, databaseUrl);
const pool = createPool(databaseUrl, { max: 1 });
after(() => pool.end());

async function signUpOverHttp(): Promise<{ cookie: string; userId: string }> {
  const response = await fetch(`${product.webUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: product.webUrl },
    body: JSON.stringify(newPerson("Kim")),
  });
  assert.equal(response.status, 200);
  const { user } = (await response.json()) as { user: { id: string } };
  return {
    cookie: cookiesOf(response),
    userId: user.id,
  };
}

async function accessToken(cookie: string): Promise<string> {
  const response = await fetch(`${product.webUrl}/api/auth/token`, { headers: { cookie } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
}

async function publishedKids(): Promise<string[]> {
  const { keys } = (await (await fetch(`${product.webUrl}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid).sort();
}

const listTasks = (userId: string, token: string) =>
  fetch(`${product.apiUrl}/api/${userId}/tasks`, { headers: { authorization: `Bearer ${token}` } });

describe("signing-key rotation", () => {
  test("a new key is published and used; old tokens work until they expire; the old key leaves after its grace", async () => {
    const { cookie, userId } = await signUpOverHttp();
    const before = await accessToken(cookie);
    const oldKid = decodeProtectedHeader(before).kid ?? "";
    assert.deepEqual(await publishedKids(), [oldKid]);
    assert.equal((await listTasks(userId, before)).status, 200, "the API has fetched the keys and accepts the token");
    // A second token under the old key, one second later (so not the same bytes), that the API has
    // not seen: accepting it after the rotation takes the old key, not the API's cache of checked tokens.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const unseenOld = await accessToken(cookie);
    assert.notEqual(unseenOld, before);

    // Make the API fetch the keys now (a token naming a kid nobody has does that), so that the
    // new key below appears within the API's re-fetch cooldown, the case that used to sign people out.
    // Signed for real, by a key of no one's: a signature of the wrong shape is refused before any lookup.
    const stranger = await generateKeyPair("EdDSA");
    const unknownKid = await new SignJWT({ sub: userId })
      .setProtectedHeader({ alg: "EdDSA", kid: crypto.randomUUID() })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(stranger.privateKey);
    assert.equal((await listTasks(userId, unknownKid)).status, 401);

    // Thirty days pass for the key: it reaches its rotation date.
    await pool.query(
      "UPDATE jwks SET created_at = now() - interval '30 days', expires_at = now() - interval '1 second' WHERE id = $1",
      [oldKid],
    );
    const after = await accessToken(cookie);
    const newKid = decodeProtectedHeader(after).kid ?? "";
    assert.notEqual(newKid, oldKid, "the next token is signed with a new key");
    assert.deepEqual(await publishedKids(), [oldKid, newKid].sort(), "both keys are published during the grace");

    // The running API accepts the new key at once, though it fetched the keys (without it) a moment
    // ago, and the old key's tokens still.
    const withNew = await listTasks(userId, after);
    assert.equal(withNew.status, 200, await withNew.text());
    assert.equal((await listTasks(userId, unseenOld)).status, 200, "a token under the old key is valid until its exp");

    // A day of grace later the old key is gone from the JWKS: nothing can verify the old token any more.
    await pool.query("UPDATE jwks SET expires_at = now() - interval '25 hours' WHERE id = $1", [oldKid]);
    assert.deepEqual(await publishedKids(), [newKid]);
    const jwks = createLocalJWKSet((await (await fetch(`${product.webUrl}/api/auth/jwks`)).json()) as JSONWebKeySet);
    await assert.rejects(jwtVerify(unseenOld, jwks), /no applicable key/i);
    await jwtVerify(after, jwks);
  });

  test("the key set is not rate-limited: many Task API processes behind one address each fetch it as they need", async () => {
    const address = randomClientAddress();
    const fetchKeys = () => fetch(`${product.webUrl}/api/auth/jwks`, { headers: { "x-forwarded-for": address } });
    // Past the 300 a minute every other endpoint of Better Auth allows one address, ten at a time.
    const statuses: number[] = [];
    for (let batch = 0; batch < 32; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, fetchKeys))).map((answer) => answer.status));
    }
    assert.deepEqual([...new Set(statuses)], [200], `${statuses.filter((status) => status !== 200).length} refused`);
  });
});
