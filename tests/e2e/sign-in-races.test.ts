/**
 * A password sign-in that overlaps a password reset (or anything that signs the account's devices
 * out and then writes a change) does not keep a session checked against the old password. Row
 * locks taken from the test hold each side at the step that matters, so each order happens every
 * time; nothing is timed.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createPool } from "@tasks/db";
import type pg from "pg";
import { backendPid, waitUntilBlockedBy } from "../../scripts/lib/lock-waits";
import { mailedTo, startMailbox } from "./mailbox";
import { cookiesOf, newPerson, type Person, postAuth, startTestProduct } from "./product";

const databaseUrl = process.env.DATABASE_URL ?? "";
const mailbox = await startMailbox();
const product = await startTestProduct(mailedTo(mailbox));
const db = createPool(databaseUrl, { max: 3 });
after(() => db.end());

/** A new account, signed up; its id. */
async function signedUp(person: Person): Promise<string> {
  const answer = await postAuth(product.webUrl, "/sign-up/email", person);
  assert.equal(answer.status, 200, await answer.text());
  const { rows } = await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [person.email]);
  return rows[0]?.id ?? "";
}

/** The token of an emailed reset link for the person, asked for now. */
async function resetToken(person: Person): Promise<string> {
  assert.equal((await postAuth(product.webUrl, "/request-password-reset", { email: person.email })).status, 200);
  const email = await mailbox.waitFor(person.email, /Reset your Tasks password/);
  return new URL(email.link ?? "").searchParams.get("token") ?? "";
}

/** A row lock held by a transaction of the test until `release`; `pid`, its backend's. */
async function holdRow(sql: string, values: unknown[]): Promise<{ pid: number; release: () => Promise<void> }> {
  const client: pg.PoolClient = await db.connect();
  await client.query("BEGIN");
  await client.query(sql, values);
  const pid = await backendPid(client);
  return {
    pid,
    release: async () => {
      await client.query("COMMIT");
      client.release();
    },
  };
}

/** Waits until a statement starting with `start` waits for `lock` (a request held where the test wants it). */
function waitingOnLock(lock: { pid: number }, start: RegExp): Promise<void> {
  return waitUntilBlockedBy(db, lock.pid, `no statement like ${start} came to wait`, {
    matching: start,
    timeoutMs: 5_000,
  });
}

/** Whether a cookie from a sign-in still opens a session (an answer other than a session or null fails the test). */
async function opensASession(cookie: string): Promise<boolean> {
  const answer = await fetch(`${product.webUrl}/api/auth/get-session`, { headers: { cookie } });
  const body = await answer.text();
  assert.equal(answer.status, 200, `get-session answered ${answer.status}: ${body}`);
  if (body === "null") return false;
  const { session } = JSON.parse(body) as { session?: { id?: unknown } };
  assert.equal(typeof session?.id, "string", `not a session: ${body}`);
  return true;
}

async function sessionsOf(userId: string): Promise<number> {
  const { rows } = await db.query("SELECT 1 FROM sessions WHERE user_id = $1", [userId]);
  return rows.length;
}

/**
 * A sign-in with the person's (old) password that checks it, then waits to make its session while
 * the whole reset is made (to "a brand new passphrase"); its answer.
 */
async function signInAcrossAReset(person: Person, userId: string): Promise<Response> {
  const token = await resetToken(person);
  const lock = await holdRow("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [userId]);
  const signIn = postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password });
  await waitingOnLock(lock, /^insert into "sessions"/i);
  const reset = await postAuth(product.webUrl, "/reset-password", { token, newPassword: "a brand new passphrase" });
  assert.equal(reset.status, 200, await reset.text());
  await lock.release();
  return signIn;
}

describe("a sign-in with the old password, as the password is reset", () => {
  test("made its session after the reset signed the devices out but before the new password was written: ended by the reset", async () => {
    const person = newPerson("Rex");
    const userId = await signedUp(person);
    const token = await resetToken(person);
    // The reset signs the devices out, then waits to write the new password.
    const lock = await holdRow("SELECT 1 FROM accounts WHERE user_id = $1 AND provider_id = 'credential' FOR UPDATE", [
      userId,
    ]);
    const reset = postAuth(product.webUrl, "/reset-password", { token, newPassword: "a brand new passphrase" });
    await waitingOnLock(lock, /^update "accounts"/i);
    // Meanwhile the old password signs in: the password it reads is still the old one.
    const signIn = await postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password });
    assert.equal(signIn.status, 200, await signIn.text());
    const cookie = cookiesOf(signIn);
    assert.equal(await opensASession(cookie), true);
    await lock.release();
    assert.equal((await reset).status, 200);
    assert.equal(await opensASession(cookie), false, "the sign-in with the old password is signed out");
    assert.equal(await sessionsOf(userId), 0);
  });

  test("checked the old password before the reset and made its session after it: refused, and no session is left", async () => {
    const person = newPerson("Rae");
    const userId = await signedUp(person);
    const refused = await signInAcrossAReset(person, userId);
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { code?: string }).code, "CREDENTIALS_CHANGED");
    assert.equal(await opensASession(cookiesOf(refused)), false);
    assert.equal(await sessionsOf(userId), 0);
    // The new password signs in.
    const again = await postAuth(product.webUrl, "/sign-in/email", {
      email: person.email,
      password: "a brand new passphrase",
    });
    assert.equal(again.status, 200);
  });
});

describe("a sign-in with the old password, as it changes otherwise", () => {
  test("of an account with two-factor sign-in: refused as well, and no second step is started for it", async () => {
    const person = newPerson("Tye");
    const userId = await signedUp(person);
    await db.query("UPDATE users SET two_factor_enabled = true WHERE id = $1", [userId]);
    const refused = await signInAcrossAReset(person, userId);
    assert.equal(refused.status, 401, "not a second step for the old password");
    assert.equal(((await refused.json()) as { code?: string }).code, "CREDENTIALS_CHANGED");
    const { rows } = await db.query("SELECT 1 FROM verifications WHERE identifier LIKE '2fa-%' AND value = $1", [
      userId,
    ]);
    assert.equal(rows.length, 0, "no second step waits for a code");
    assert.equal(await sessionsOf(userId), 0);
  });

  test("a password change that signs the other devices out: the old password's sign-in made meanwhile is signed out too, the changer stays", async () => {
    const person = newPerson("Cyd");
    const userId = await signedUp(person);
    const signedIn = await postAuth(product.webUrl, "/sign-in/email", {
      email: person.email,
      password: person.password,
    });
    const changerCookie = cookiesOf(signedIn);
    const lock = await holdRow("SELECT 1 FROM accounts WHERE user_id = $1 AND provider_id = 'credential' FOR UPDATE", [
      userId,
    ]);
    const change = postAuth(
      product.webUrl,
      "/change-password",
      { currentPassword: person.password, newPassword: "a brand new passphrase", revokeOtherSessions: true },
      undefined,
      changerCookie,
    );
    await waitingOnLock(lock, /^update "accounts"/i);
    const other = await postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password });
    assert.equal(other.status, 200, await other.text());
    await lock.release();
    const changed = await change;
    assert.equal(changed.status, 200, await changed.text());
    assert.equal(await opensASession(cookiesOf(other)), false, "the old password's sign-in is signed out");
    assert.equal(await opensASession(cookiesOf(changed)), true, "the device that changed it stays signed in");
    assert.equal(await sessionsOf(userId), 1);
  });
});

describe("a sign-out that cannot end its session", () => {
  test("answers 503 and keeps the cookie, where it said 200 and left the session alive; asked again, it ends it", async () => {
    const person = newPerson("Sid");
    const signedUp = await postAuth(product.webUrl, "/sign-up/email", person);
    const cookie = cookiesOf(signedUp);
    const { rows } = await db.query<{ id: string }>(
      "SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1",
      [person.email],
    );
    // The session's row held by another transaction past the web app's statement timeout (5 s).
    const lock = await holdRow("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", [rows[0]?.id]);
    const failed = await postAuth(product.webUrl, "/sign-out", {}, undefined, cookie);
    await lock.release();
    assert.equal(failed.status, 503, await failed.text());
    assert.equal(failed.headers.get("content-type"), "application/problem+json");
    assert.ok(
      !failed.headers.getSetCookie().some((set) => /session_token=;/.test(set)),
      "the cookie is kept: the device is still signed in",
    );
    assert.equal(await opensASession(cookie), true, "and says so: the session lives");

    const again = await postAuth(product.webUrl, "/sign-out", {}, undefined, cookie);
    assert.equal(again.status, 200);
    assert.equal(await opensASession(cookie), false);
  });
});
