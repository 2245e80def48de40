import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { createPool, migrateDatabase } from "@tasks/db";
import { startEmbeddedPostgres } from "@tasks/db/embedded";
import { freePort } from "../../../scripts/lib/free-port";
import { createTask, databaseUrl, setup, storedTasks, untilStatus } from "./helper";

// This test stops its database, so it has one of its own.
const dataDir = path.join(tmpdir(), `tasks-outage-${process.pid}`);
const port = await freePort();
let database = await startEmbeddedPostgres({ dataDir, port, log: () => {}, fresh: true });
after(() => database.remove());

test("database down → 503 quickly and nothing half-happens; back up → requests succeed without a restart", async () => {
  // Migrated first: the app's revocation feed reads its table from the start.
  const migrator = createPool(database.url, { max: 1 });
  await migrateDatabase(migrator);
  await migrator.end();
  const { app, newUser } = await setup({ DATABASE_URL: database.url }, { connectionTimeoutMillis: 2_000 });
  const user = await newUser();
  const userId = user.id;
  const task = await createTask(app, user, { title: "before the outage" });

  await database.stop();

  const started = Date.now();
  const ready = await app.inject({ method: "GET", url: "/readyz" });
  assert.equal(ready.statusCode, 503);
  assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200, "the process itself is alive");
  for (const request of [
    { method: "GET", url: `/api/${userId}/tasks` },
    { method: "POST", url: `/api/${userId}/tasks`, payload: { title: "during the outage" } },
    { method: "PATCH", url: `/api/${userId}/tasks/${task.id}/complete` },
    { method: "DELETE", url: `/api/${userId}/tasks/${task.id}` },
  ] as const) {
    const response = await app.inject({ ...request, headers: user.auth });
    assert.equal(response.statusCode, 503, `${request.method} ${request.url}`);
    assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(response.json().status, 503);
    // No connection could be made, so a write can say that nothing was changed (a read has nothing to say).
    assert.equal(
      /nothing was changed/.test(response.json().detail),
      request.method !== "GET",
      `${request.method}: ${response.json().detail}`,
    );
  }
  assert.ok(Date.now() - started < 15_000, "503s come within seconds, not after a hang");

  database = await startEmbeddedPostgres({ dataDir, port, log: () => {} });

  // (After an outage of more than 1.9 s, both wait for the next read of ended sessions: half a second at most.)
  await untilStatus(() => app.inject({ method: "GET", url: "/readyz" }), 200, "ready once the database is back");
  const list = await untilStatus(
    () => app.inject({ method: "GET", url: `/api/${userId}/tasks`, headers: user.auth }),
    200,
    "the tasks are served again",
  );
  assert.deepEqual(
    list.json().map((t: { title: string; completed: boolean }) => [t.title, t.completed]),
    [["before the outage", false]],
    "the writes refused during the outage did not happen",
  );
});

test("a request that finds the pool closed under it (a shutdown cut short) is a 503, and changes nothing", async () => {
  const closing = await setup();
  const user = await closing.newUser();
  const task = await createTask(closing.app, user, { title: "before the pool closed" });
  // As server.ts does once the server has closed, and a request cut off at the shutdown's limit still runs.
  const endPool = closing.pool.end.bind(closing.pool);
  await endPool();
  closing.pool.end = async () => {}; // (closed already: the file's clean-up ends it again)
  for (const request of [
    { method: "GET", url: `/api/${user.id}/tasks` },
    { method: "POST", url: `/api/${user.id}/tasks`, payload: { title: "after" } },
    { method: "PATCH", url: `/api/${user.id}/tasks/${task.id}/complete` },
  ] as const) {
    const response = await closing.app.inject({ ...request, headers: user.auth });
    assert.equal(response.statusCode, 503, `${request.method}: ${response.body}`);
    assert.equal(/nothing was changed/.test(response.json().detail), request.method !== "GET", response.json().detail);
  }
  const reader = createPool(databaseUrl(), { max: 1 });
  try {
    const stored = await storedTasks(reader, user.id);
    assert.deepEqual(
      stored.map((row) => [row.title, row.completed]),
      [["before the pool closed", false]],
    );
  } finally {
    await reader.end();
  }
});
