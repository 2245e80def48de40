/**
 * A database that goes silent (the network or the server stops answering
 * without closing anything) must not hang the API: a request whose statement
 * gets no answer is refused with 503 within seconds, and the API answers
 * again, without a restart, once the database does.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createPool } from "@tasks/db";
import { startCuttableDatabaseProxy } from "../../../scripts/lib/database-proxy";
import { assertProblem, createTask, databaseUrl, setup, untilStatus } from "./helper";

test("a database gone silent → 503 within seconds, not a hang; answering again → 200", {
  timeout: 30_000,
}, async (t) => {
  const proxy = await startCuttableDatabaseProxy(databaseUrl());
  // Only the routes' pool goes through the proxy: the feed of ended sessions stays current.
  const feedPool = createPool(databaseUrl(), { max: 1 });
  // Before setup's own clean-up (hooks run in the order they were added): closing the proxy ends
  // any request still waiting on it, so a failure here ends the run instead of hanging it.
  after(async () => {
    proxy.close();
    await feedPool.end();
  });
  const { app, newUser } = await setup(
    { DATABASE_URL: proxy.url },
    { statementTimeoutMillis: 1_000, connectionTimeoutMillis: 1_000 },
    feedPool,
  );
  const user = await newUser();
  const task = await createTask(app, user, { title: "before the silence" });
  const list = () => app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
  // Several at once, so some go out on the pool's open connections, which now get no answer.
  assert.deepEqual(
    (await Promise.all([list(), list(), list()])).map((response) => response.statusCode),
    [200, 200, 200],
  );

  proxy.stall();
  const started = Date.now();
  const answers = await Promise.all([
    list(),
    list(),
    list(),
    app.inject({ method: "GET", url: `/api/${user.id}/tasks/${task.id}`, headers: user.auth }),
  ]);
  const waited = Date.now() - started;
  t.diagnostic(`503s after ${waited} ms of silence`);
  for (const answer of answers) assertProblem(answer, 503);
  // One second of statement timeout, one more before a silent connection is closed.
  assert.ok(waited < 10_000, `answered after ${waited} ms: the API waited on a silent connection`);

  proxy.restore();
  const answer = await untilStatus(list, 200, "the API answers again without a restart");
  assert.deepEqual(
    answer.json().map((row: { id: string }) => row.id),
    [task.id],
  );
});
