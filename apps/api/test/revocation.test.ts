/**
 * The contract's "Revocation": when a sign-in session ends before its time,
 * every API process refuses its tokens (401 invalid_token) within 2 seconds
 * although they have not expired; the person's other sessions keep working;
 * a token without `sid` is 401; a process whose feed of ended sessions is
 * with no read in 1.9 s answers 503, never 200, and recovers by itself.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createPool } from "@tasks/db";
import { startCuttableDatabaseProxy } from "../../../scripts/lib/database-proxy";
import { RevocationFeed } from "../src/auth/revocation-feed";
import {
  assertProblem,
  bearer,
  databaseUrl,
  mintToken,
  setup,
  startTestApi,
  storedTasks,
  type TestUser,
  untilStatus,
} from "./helper";

const REVOCATION_BOUND_MS = 2_000;

const first = await setup();
/** A second API instance on the same database, with its own feed and token cache (another process, in effect). */
const second = await setup();
second.jwks.keys = first.jwks.keys;

const list = (app: typeof first.app, user: TestUser, token = user.token) =>
  app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: bearer(token) });

/** Asks every half-tenth of a second until the answer is 401; the milliseconds that took. */
async function msUntilRefused(app: typeof first.app, user: TestUser, token: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await list(app, user, token);
    if (response.statusCode === 401) {
      const body = assertProblem(response, 401);
      assert.match(String(response.headers["www-authenticate"]), /error="invalid_token"/);
      assert.doesNotMatch(String(body.detail), /sid|session id/i, "no token internals in the answer");
      return Date.now() - started;
    }
    assert.equal(response.statusCode, 200, `before the refusal the token still works: ${response.body}`);
    if (Date.now() - started > REVOCATION_BOUND_MS + 3_000) return Number.POSITIVE_INFINITY;
    await sleep(50);
  }
}

/** A second sign-in session of the same user, with its own token. */
async function anotherSession(user: TestUser): Promise<string> {
  const { rows } = await first.pool.query<{ id: string }>(
    "INSERT INTO sessions (user_id, token, expires_at) VALUES ($1, gen_random_uuid()::text, now() + interval '1 day') RETURNING id",
    [user.id],
  );
  return mintToken({ key: first.key, claims: { sub: user.id, sid: rows[0]?.id } });
}

test("a deleted session's token is refused by both API instances within 2 s; the user's other session keeps working", async (t) => {
  const user = await first.newUser();
  const otherToken = await anotherSession(user);
  // The same session's id in capitals (a UUID either way): the same session, ended with it.
  const capitals = await mintToken({ key: first.key, claims: { sub: user.id, sid: user.sessionId.toUpperCase() } });
  // Both instances have verified and cached the token: revocation must beat the token cache.
  assert.equal((await list(first.app, user)).statusCode, 200);
  assert.equal((await list(second.app, user)).statusCode, 200);
  assert.equal((await list(first.app, user, capitals)).statusCode, 200);

  await first.pool.query("DELETE FROM sessions WHERE id = $1", [user.sessionId]);
  const [onFirst, onSecond, inCapitals] = await Promise.all([
    msUntilRefused(first.app, user, user.token),
    msUntilRefused(second.app, user, user.token),
    msUntilRefused(first.app, user, capitals),
  ]);
  t.diagnostic(`refused after ${onFirst} ms (first instance) and ${onSecond} ms (second instance)`);
  assert.ok(onFirst <= REVOCATION_BOUND_MS, `first instance refused after ${onFirst} ms`);
  assert.ok(onSecond <= REVOCATION_BOUND_MS, `second instance refused after ${onSecond} ms`);
  assert.ok(inCapitals <= REVOCATION_BOUND_MS, `its id in capitals refused after ${inCapitals} ms`);

  assert.equal((await list(first.app, user, otherToken)).statusCode, 200, "the other session is untouched");
  assert.equal((await list(second.app, user, otherToken)).statusCode, 200);
  // A write with the ended session's token changes nothing.
  const create = await first.app.inject({
    method: "POST",
    url: `/api/${user.id}/tasks`,
    headers: bearer(user.token),
    payload: { title: "after sign-out" },
  });
  assertProblem(create, 401);
  const { rows } = await first.pool.query("SELECT 1 FROM tasks WHERE user_id = $1", [user.id]);
  assert.equal(rows.length, 0);
});

test("deleting the user (sessions cascade) refuses every token of theirs within 2 s", async () => {
  const user = await first.newUser();
  const otherToken = await anotherSession(user);
  assert.equal((await list(first.app, user, otherToken)).statusCode, 200);
  await first.pool.query("DELETE FROM users WHERE id = $1", [user.id]);
  // Both timed from the delete (the second is not timed only once the first is refused).
  const times = await Promise.all([
    msUntilRefused(first.app, user, user.token),
    msUntilRefused(second.app, user, otherToken),
  ]);
  for (const ms of times) assert.ok(ms <= REVOCATION_BOUND_MS, `refused after ${ms} ms`);
});

test("a session whose expiry is moved to now is refused within 2 s; one whose expiry moves later keeps working", async () => {
  const user = await first.newUser();
  const otherToken = await anotherSession(user);
  assert.equal((await list(first.app, user)).statusCode, 200);
  assert.equal((await list(first.app, user, otherToken)).statusCode, 200);

  // Later (as Better Auth does when a session is used), then earlier than a day ahead but still ahead.
  await first.pool.query("UPDATE sessions SET expires_at = now() + interval '30 days' WHERE user_id = $1", [user.id]);
  await first.pool.query("UPDATE sessions SET expires_at = now() + interval '1 hour' WHERE user_id = $1", [user.id]);
  // Ended: the row stays, its time is up.
  await first.pool.query("UPDATE sessions SET expires_at = now() WHERE id = $1", [user.sessionId]);
  const ms = await msUntilRefused(first.app, user, user.token);
  assert.ok(ms <= REVOCATION_BOUND_MS, `refused after ${ms} ms`);
  assert.equal((await list(first.app, user, otherToken)).statusCode, 200, "the session still alive keeps working");
});

test("a sign-out whose transaction commits late, after later ones were read, is refused within 2 s of its commit, not before it", async (t) => {
  const user = await first.newUser();
  const other = await first.newUser();
  assert.equal((await list(first.app, user)).statusCode, 200);
  assert.equal((await list(second.app, user)).statusCode, 200);

  const slow = await first.pool.connect();
  try {
    await slow.query("BEGIN");
    await slow.query("DELETE FROM sessions WHERE id = $1", [user.sessionId]);
    // As if this transaction had been held for a minute after its delete (a lock wait, a slow
    // client): the row's time is a minute before its commit, beyond any look-back by time.
    await slow.query(
      "UPDATE revoked_sessions SET revoked_at = revoked_at - interval '1 minute' WHERE session_id = $1",
      [user.sessionId],
    );
    // A later transaction commits first and is read: the feed has moved past it.
    await first.pool.query("DELETE FROM sessions WHERE id = $1", [other.sessionId]);
    for (const app of [first.app, second.app])
      assert.ok((await msUntilRefused(app, other, other.token)) <= REVOCATION_BOUND_MS, "the later sign-out is read");
    assert.equal((await list(first.app, user)).statusCode, 200, "a delete not yet committed may still roll back");

    await slow.query("COMMIT");
  } finally {
    slow.release();
  }
  const times = await Promise.all([
    msUntilRefused(first.app, user, user.token),
    msUntilRefused(second.app, user, user.token),
  ]);
  t.diagnostic(`refused ${times.join(" and ")} ms after the commit`);
  for (const ms of times) assert.ok(ms <= REVOCATION_BOUND_MS, `refused after ${ms} ms`);
});

test("a token without sid is 401, although its signature and claims are good", async () => {
  const user = await first.newUser();
  const token = await mintToken({ key: first.key, claims: { sub: user.id, sid: undefined } });
  const response = await list(first.app, user, token);
  assertProblem(response, 401);
  assert.match(String(response.headers["www-authenticate"]), /error="invalid_token"/);
  const odd = await mintToken({ key: first.key, claims: { sub: user.id, sid: "not-a-session-id" } });
  assertProblem(await list(first.app, user, odd), 401);
  // Nor does either write.
  for (const refused of [token, odd]) {
    const create = await first.app.inject({
      method: "POST",
      url: `/api/${user.id}/tasks`,
      headers: bearer(refused),
      payload: { title: "without a session" },
    });
    assertProblem(create, 401);
  }
  assert.deepEqual(await storedTasks(first.pool, user.id), []);
});

test("the trigger records a deleted session with its user", async () => {
  const user = await first.newUser();
  await first.pool.query("DELETE FROM sessions WHERE user_id = $1", [user.id]);
  const { rows } = await first.pool.query<{ user_id: string }>(
    "SELECT user_id FROM revoked_sessions WHERE session_id = $1",
    [user.sessionId],
  );
  assert.deepEqual(
    rows.map((row) => row.user_id),
    [user.id],
  );
});

test("a session that expired over a day ago is not recorded (no token of it can live); one that expired an hour ago is", async () => {
  const user = await first.newUser();
  const { rows: made } = await first.pool.query<{ id: string; expires_at: Date }>(
    `INSERT INTO sessions (user_id, token, expires_at)
     VALUES ($1, gen_random_uuid()::text, now() - interval '2 days'), ($1, gen_random_uuid()::text, now() - interval '1 hour')
     RETURNING id, expires_at`,
    [user.id],
  );
  await first.pool.query("DELETE FROM sessions WHERE user_id = $1", [user.id]);
  const { rows } = await first.pool.query<{ session_id: string }>(
    "SELECT session_id FROM revoked_sessions WHERE user_id = $1 ORDER BY session_id",
    [user.id],
  );
  const longExpired = made.find((row) => Date.now() - row.expires_at.getTime() > 86_400_000)?.id;
  assert.deepEqual(
    rows.map((row) => row.session_id),
    [user.sessionId, ...made.filter((row) => row.id !== longExpired).map((row) => row.id)].sort(),
  );
});

/** Which of these sessions `revoked_sessions` still records. */
async function stillRecorded(sessionIds: string[]): Promise<string[]> {
  const { rows } = await first.pool.query<{ session_id: string }>(
    "SELECT session_id::text FROM revoked_sessions WHERE session_id = ANY($1::uuid[]) ORDER BY session_id",
    [sessionIds],
  );
  return rows.map((row) => row.session_id);
}

test("an API that starts purges only sessions that ended over a day and 10 minutes ago: one that ended a day ago stays refused, by it and by an API started after", async () => {
  // Ended a day ago: within the retention, as a token issued just before it (they live up to a
  // day) may still be sent. (This one is fresh: it stands for such a token.)
  const recent = await first.newUser();
  await first.pool.query("DELETE FROM sessions WHERE id = $1", [recent.sessionId]);
  await first.pool.query("UPDATE revoked_sessions SET revoked_at = now() - interval '24 hours' WHERE session_id = $1", [
    recent.sessionId,
  ]);
  // Ended longer ago than any token lives, and 10 minutes more: nothing can need it.
  const { rows } = await first.pool.query<{ session_id: string }>(
    `INSERT INTO revoked_sessions (session_id, user_id, revoked_at)
     VALUES (gen_random_uuid(), gen_random_uuid(), now() - interval '24 hours 20 minutes')
     RETURNING session_id::text`,
  );
  const old = rows[0]?.session_id ?? "";
  const both = [recent.sessionId, old];
  assert.equal((await stillRecorded(both)).length, 2, "both are recorded before the start");

  const started = await startTestApi(first.jwks.url);
  try {
    // Its purge runs beside its first read, after the start has answered: wait for it to change the table.
    for (let i = 0; (await stillRecorded(both)).length === 2; i++) {
      assert.ok(i < 600, "the new API's purge changed nothing in 30 s");
      await sleep(50);
    }
    const refused = await list(started.app, recent);
    assertProblem(refused, 401);
    assert.match(String(refused.headers["www-authenticate"]), /error="invalid_token"/);

    // An API that starts after the purge knows only what the table kept.
    const next = await startTestApi(first.jwks.url);
    try {
      const other = await first.newUser();
      assert.equal((await list(next.app, other)).statusCode, 200, "a session that has not ended is good there");
      const alsoRefused = await list(next.app, recent);
      assertProblem(alsoRefused, 401);
      assert.match(String(alsoRefused.headers["www-authenticate"]), /error="invalid_token"/);
      const create = await next.app.inject({
        method: "POST",
        url: `/api/${recent.id}/tasks`,
        headers: bearer(recent.token),
        payload: { title: "after the restart" },
      });
      assertProblem(create, 401);
      const { rows: made } = await first.pool.query("SELECT 1 FROM tasks WHERE user_id = $1", [recent.id]);
      assert.equal(made.length, 0, "nothing was made with the ended session's token");
    } finally {
      await next.close();
    }
    assert.deepEqual(await stillRecorded(both), [recent.sessionId], "only the session ended over a day ago is purged");
  } finally {
    await started.close();
  }
});

/**
 * A feed of its own on a pool of its own, for `work`: what it logged (info and warnings) and how many
 * statements it sent (its pool lends a connection per statement) are counted; stopped after.
 */
async function withFeed(
  options: ConstructorParameters<typeof RevocationFeed>[2],
  work: (feed: RevocationFeed, logged: string[], statements: () => number) => Promise<void>,
) {
  const pool = createPool(databaseUrl(), { max: 1 });
  let statements = 0;
  pool.on("acquire", () => statements++);
  const logged: string[] = [];
  const log = { warn: (message: string) => logged.push(message), info: (message: string) => logged.push(message) };
  const feed = new RevocationFeed(pool, log as unknown as ConstructorParameters<typeof RevocationFeed>[1], options);
  try {
    await work(feed, logged, () => statements);
  } finally {
    feed.stop();
    await pool.end();
  }
}

/** Stands in for the feed's last read: a private field, looked for by its name first (renamed, the test fails instead of passing untested). */
function pretendLastSnapshot(feed: RevocationFeed, snapshot: { serverStart: string; xmax: string; xip: string[] }) {
  assert.ok(Reflect.has(feed, "lastSnapshot"), "the feed keeps its last snapshot in lastSnapshot");
  Reflect.set(feed, "lastSnapshot", snapshot);
}

/** Waits up to the bound and 3 s more for the feed to know every one of `ids`; the milliseconds that took. */
async function msUntilRead(feed: RevocationFeed, ids: string[]): Promise<number> {
  const started = Date.now();
  while (ids.some((id) => !feed.hasEnded(id)) && Date.now() - started < REVOCATION_BOUND_MS + 3_000) await sleep(50);
  assert.deepEqual(
    ids.filter((id) => !feed.hasEnded(id)),
    [],
    "every one read",
  );
  return Date.now() - started;
}

test("the feed reads a burst of ended sessions in pages, and misses none of them", async () => {
  const { rows } = await first.pool.query<{ session_id: string }>(
    `INSERT INTO revoked_sessions (session_id, user_id, revoked_at)
     SELECT gen_random_uuid(), gen_random_uuid(), now() - interval '1 hour' + make_interval(secs => i / 1000.0)
     FROM generate_series(1, 25) AS i
     RETURNING session_id`,
  );
  await withFeed({ pageSize: 4 }, async (feed) => {
    await feed.start();
    assert.equal(feed.isCurrent(), true);
    const missed = rows.filter((row) => !feed.hasEnded(row.session_id));
    assert.deepEqual(missed, [], "every one of the 25, in one transaction, read 4 at a time");
  });
});

test("a feed whose database's transaction ids went back (restored to an earlier point) reads every ended session again", async () => {
  await withFeed({}, async (feed, logged) => {
    await feed.start();
    // As if its last read had been of this server before a restore to an earlier point: ids far beyond today's.
    pretendLastSnapshot(feed, { ...Reflect.get(feed, "lastSnapshot"), xmax: "900000000000" });
    const user = await first.newUser();
    await first.pool.query("DELETE FROM sessions WHERE id = $1", [user.sessionId]);
    const ms = await msUntilRead(feed, [user.sessionId]);
    assert.ok(ms <= REVOCATION_BOUND_MS, `read after ${ms} ms`);
    assert.match(logged.join("\n"), /has started since the last read/);
  });
});

test("a feed whose database was started again reads every ended session again, though its ids have passed the last read's", async () => {
  const user = await first.newUser();
  const client = await first.pool.connect();
  let xid: bigint;
  try {
    await client.query("BEGIN");
    await client.query("DELETE FROM sessions WHERE id = $1", [user.sessionId]);
    xid = BigInt((await client.query<{ xid: string }>("SELECT pg_current_xact_id()::text AS xid")).rows[0]?.xid ?? "");
    await client.query("COMMIT");
  } finally {
    client.release();
  }
  await withFeed({}, async (feed, logged) => {
    // As if its last read had been of a server since started again (a Neon wake, a crash that lost
    // that sign-out's id and then gave it again): the id is below the last read's xmax, and today's
    // ids are past it.
    pretendLastSnapshot(feed, { serverStart: "2000-01-01 00:00:00+00", xmax: String(xid + 1n), xip: [] });
    await feed.start();
    assert.equal(feed.hasEnded(user.sessionId), true, "the sign-out is read by the first read after the start");
    assert.match(logged.join("\n"), /has started since the last read/);
  });
});

test("ended sessions of a transaction held open across several reads are all read once it commits, a page at a time", async () => {
  const user = await first.newUser();
  const { rows: made } = await first.pool.query<{ id: string }>(
    `INSERT INTO sessions (user_id, token, expires_at)
     SELECT $1, gen_random_uuid()::text, now() + interval '1 day' FROM generate_series(1, 10) RETURNING id`,
    [user.id],
  );
  const held = await first.pool.connect();
  try {
    await withFeed({ pageSize: 4 }, async (feed, _logged, statements) => {
      await feed.start();
      await held.query("BEGIN");
      await held.query("DELETE FROM sessions WHERE user_id = $1", [user.id]);
      // A later transaction ends first, so the reads' snapshots list the held one as under way (their
      // xip), not as not yet begun (from their xmax on).
      await first.pool.query("SELECT pg_current_xact_id()");
      const before = statements();
      while (statements() - before < 3) await sleep(50); // three reads while it is open
      assert.equal(feed.hasEnded(user.sessionId), false, "not before the commit");
      await held.query("COMMIT");
      const ms = await msUntilRead(feed, [user.sessionId, ...made.map((row) => row.id)]); // 11, 4 a page
      assert.ok(ms <= REVOCATION_BOUND_MS, `read ${ms} ms after the commit`);
    });
  } finally {
    held.release();
  }
});

/** An API instance whose feed of ended sessions reads through a proxy the test can cut (its requests do not). */
async function apiWithCuttableFeed() {
  const proxy = await startCuttableDatabaseProxy(databaseUrl());
  const feedPool = createPool(proxy.url, { max: 1, connectionTimeoutMillis: 1_000 });
  const api = await setup({}, {}, feedPool);
  after(async () => {
    await feedPool.end();
    proxy.close();
  });
  return { api, proxy };
}

test("a session that ends while the feed cannot read: its token is never 200 after 2 s (503 until the feed reads, then 401)", async () => {
  const { api: late, proxy } = await apiWithCuttableFeed();
  const user = await late.newUser();
  assert.equal((await list(late.app, user)).statusCode, 200);
  proxy.cut();
  await late.pool.query("DELETE FROM sessions WHERE id = $1", [user.sessionId]);
  const ended = Date.now();
  let status = 200;
  while (Date.now() - ended <= REVOCATION_BOUND_MS + 500) {
    // Judged by when it was asked: one asked just inside the 2 s may be answered just after them.
    const asked = Date.now();
    status = (await list(late.app, user)).statusCode;
    if (asked - ended > REVOCATION_BOUND_MS)
      assert.notEqual(status, 200, "200 asked more than 2 s after the session ended");
    await sleep(50);
  }
  assert.equal(status, 503, "the feed cannot read: it cannot tell");
  proxy.restore();
  await untilStatus(() => list(late.app, user), 401, "once the feed reads, the ended session is refused");
});

test("a feed that cannot read answers 503 (never 200); once it reads again, 200", async (t) => {
  const { api: cut, proxy } = await apiWithCuttableFeed();
  const user = await cut.newUser();
  assert.equal((await list(cut.app, user)).statusCode, 200);

  proxy.cut();
  const started = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - started < 20_000) {
    await sleep(250);
    status = (await list(cut.app, user)).statusCode;
  }
  t.diagnostic(`503 after ${Date.now() - started} ms without the feed`);
  const refused = await list(cut.app, user);
  assertProblem(refused, 503);
  assert.ok(refused.headers["retry-after"], "503 says when to try again");
  // The requests' own pool still answers, but the process is not ready: a load balancer sends it nothing.
  assert.match(String(assertProblem(await cut.app.inject({ url: "/readyz" }), 503).detail), /Sign-outs/);

  proxy.restore();
  const restored = Date.now();
  await untilStatus(() => list(cut.app, user), 200, "the feed recovers without a restart");
  assert.equal((await cut.app.inject({ url: "/readyz" })).statusCode, 200, "ready again");
  t.diagnostic(`200 again ${Date.now() - restored} ms after the database came back`);
});

/** An API whose feed sleeps after 1 s without requests, on its own pool; the feed's statements are counted. */
async function apiWithSleepyFeed(feedUrl = databaseUrl()) {
  const feedPool = createPool(feedUrl, { max: 1, connectionTimeoutMillis: 1_000 });
  let statements = 0;
  feedPool.on("acquire", () => statements++); // the feed's pool lends a connection per statement
  const sleepy = await startTestApi(first.jwks.url, {}, {}, { revocationPool: feedPool, revocationIdleAfterMs: 1_000 });
  after(async () => {
    await sleepy.close();
    await feedPool.end();
  });
  return { app: sleepy.app, statements: () => statements };
}

test("with no requests the feed stops reading, so the database can sleep; the next request reads first, and an ended session is 401", async () => {
  const sleepy = await apiWithSleepyFeed();
  const user = await first.newUser();
  assert.equal((await list(sleepy.app, user)).statusCode, 200);

  await sleep(2_500); // asleep after 1 s without requests
  const asleep = sleepy.statements();
  await sleep(1_500);
  assert.equal(sleepy.statements(), asleep, "no statement for 1.5 s: the feed sleeps");
  assert.equal((await sleepy.app.inject({ url: "/readyz" })).statusCode, 200, "asleep, the process is still ready");

  // A sign-out while it sleeps: the next request reads before it answers.
  await first.pool.query("DELETE FROM sessions WHERE id = $1", [user.sessionId]);
  assertProblem(await list(sleepy.app, user), 401);
  const woken = sleepy.statements();
  assert.ok(woken > asleep, "the request woke the feed");
  const other = await first.newUser();
  assert.equal((await list(sleepy.app, other)).statusCode, 200, "and another person's token is good");
  // Awake again, with requests coming, it reads every half second: not more often (one timer), not less.
  const since = sleepy.statements();
  const started = Date.now();
  for (let i = 0; i < 8; i++) {
    await sleep(250);
    assert.equal((await list(sleepy.app, other)).statusCode, 200);
  }
  const reads = sleepy.statements() - since;
  const expected = (Date.now() - started) / 500;
  assert.ok(
    reads >= expected - 2 && reads <= expected + 2,
    `${reads} reads in ${Date.now() - started} ms after the wake`,
  );
});

test("a feed whose reads fail does not sleep: the process stays not ready, with no requests", async () => {
  const proxy = await startCuttableDatabaseProxy(databaseUrl());
  after(() => proxy.close());
  const sleepy = await apiWithSleepyFeed(proxy.url);
  proxy.cut();
  await sleep(3_500); // past the 1.9 s without a read, and past the 1 s without requests
  const ready = await sleepy.app.inject({ url: "/readyz" });
  assert.match(String(assertProblem(ready, 503).detail), /Sign-outs/, "not ready while the feed cannot read");
  proxy.restore();
  await untilStatus(() => sleepy.app.inject({ url: "/readyz" }), 200, "ready again once the feed reads");
});

test("a wake that takes longer than 1.9 s (a database waking up) still answers the request that woke it", async () => {
  const proxy = await startCuttableDatabaseProxy(databaseUrl());
  after(() => proxy.close());
  const sleepy = await apiWithSleepyFeed(proxy.url);
  const user = await first.newUser();
  assert.equal((await list(sleepy.app, user)).statusCode, 200);
  await sleep(4_000); // asleep, and its last read older than 1.9 s
  proxy.stall();
  const asked = Date.now();
  const answer = list(sleepy.app, user);
  await sleep(2_500);
  proxy.restore();
  assert.equal((await answer).statusCode, 200, "its read began after the request came: it can tell");
  assert.ok(Date.now() - asked >= 2_500, "it waited for the read (the feed was asleep)");
});
