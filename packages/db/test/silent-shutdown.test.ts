/**
 * A pool used one statement at a time (the Task API's) ends although the database has gone silent
 * under a statement: the API's shutdown (SIGTERM at a deploy, most likely during a network
 * partition) waits for its pools to end, and a process that never ends serves nothing and waits
 * for a supervisor's SIGKILL.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startCuttableDatabaseProxy } from "../../../scripts/lib/database-proxy";
import { createPool } from "../src/pool";

const databaseUrl = process.env.DATABASE_URL ?? "";

test("a pool ends within its statements' limit while a statement waits on a silent database", async () => {
  const proxy = await startCuttableDatabaseProxy(databaseUrl);
  const pool = createPool(proxy.url, { max: 1, statementTimeoutMillis: 500, oneStatementPerLoan: true });
  try {
    await pool.query("SELECT 1"); // connected
    proxy.stall();
    const statement = pool.query("SELECT 2").then(
      () => "answered",
      () => "failed",
    );
    await sleep(100); // lent, and sent into the silence
    const started = Date.now();
    const ended = await Promise.race([pool.end().then(() => "ended"), sleep(10_000, "still waiting")]);
    assert.equal(ended, "ended", "the pool ended");
    assert.ok(Date.now() - started < 5_000, `within the limit and a second or so (${Date.now() - started} ms)`);
    assert.equal(await statement, "failed", "the statement the database never answered failed");
  } finally {
    proxy.close();
  }
});
