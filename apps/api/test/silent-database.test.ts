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
  // A write sent on one of those connections: the database may have committed it or not, and the
  // 503 must not claim that nothing was changed.
  const lostWrite = assertProblem(
    await app.inject({
      method: "POST",
      url: `/api/${user.id}/tasks`,
      headers: user.auth,
      payload: { title: "during the silence" },
    }),
    503,
  );
  assert.match(String(lostWrite.detail), /made whole or not at all\. Reload your tasks/);
  assert.doesNotMatch(String(lostWrite.detail), /nothing was changed/);
  const answers = await Promise.all([
    list(),
    list(),
    list(),
    app.inject({ method: "GET", url: `/api/${user.id}/tasks/${task.id}`, headers: user.auth }),
  ]);
  const waited = Date.now() - started;
  t.diagnostic(`503s after ${waited} ms of silence`);
  for (const answer of answers) assertProblem(answer, 503);
  // One second of statement timeout, one more before a silent connection is closed (twice: the write first).
  assert.ok(waited < 10_000, `answered after ${waited} ms: the API waited on a silent connection`);

  proxy.restore();
  const answer = await untilStatus(list, 200, "the API answers again without a restart");
  // The write's bytes waited in the network (here, the stalled proxy's buffer), so the database may
  // still run it after the 503: it is then there whole, once.
  const rows = answer.json() as { id: string; title: string; completed: boolean }[];
  t.diagnostic(`the write answered 503 was ${rows.length === 2 ? "made after all" : "not made"}`);
  assert.deepEqual(
    rows.map((row) => [row.title, row.completed]),
    [...(rows.length === 2 ? [["during the silence", false]] : []), ["before the silence", false]],
  );
  assert.equal(rows.at(-1)?.id, task.id);
});
