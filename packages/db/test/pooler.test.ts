/**
 * Through a pooler in transaction mode, as Neon's pooled (`-pooler`) host and
 * PgBouncer run: the connection string the README tells a deployment to use.
 * A real PgBouncer (Debian's `pgbouncer`; `.ci/run` installs it) in front of
 * the test run's PostgreSQL, lending a server connection per transaction.
 *
 * - PgBouncer refuses start-up parameters it does not know; the pools sent
 *   `statement_timeout` in theirs, so nothing could connect.
 * - A session's advisory lock means nothing there: it lands on whichever
 *   server connection the pooler picks (and may be taken again by the same
 *   one). Processes starting at once must still apply each migration once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NO_PGBOUNCER, PGBOUNCER_PATH, type RunningPgBouncer, startPgBouncer } from "../../../scripts/lib/pgbouncer";
import { committedMigrations, createTestDatabase } from "../../../scripts/lib/test-database";
import { createPool, migrateDatabaseAt } from "../src/index";

describe("through a pooler in transaction mode (PgBouncer)", { skip: PGBOUNCER_PATH ? false : NO_PGBOUNCER }, () => {
  /** The test database, reached through `bouncer.url`. */
  let bouncer: RunningPgBouncer | undefined;
  let directUrl = "";
  const pooledUrl = () => bouncer?.url ?? "";

  before(async () => {
    directUrl = await createTestDatabase("pooler");
    bouncer = await startPgBouncer(directUrl);
  });

  after(() => bouncer?.stop());

  test("pools connect and answer (no start-up parameter the pooler refuses), first connections at once included", async () => {
    const pool = createPool(pooledUrl(), { max: 4 });
    try {
      // Four statements at once on a new pool: four connections set out together, each with what the
      // pool sends at connection start; every one must get its answer.
      const answers = await Promise.all([1, 2, 3, 4].map((n) => pool.query<{ n: number }>("SELECT $1::int AS n", [n])));
      assert.deepEqual(
        answers.map((answer) => answer.rows[0]?.n),
        [1, 2, 3, 4],
      );
      const { rows } = await pool.query<{ one: number }>("SELECT 1 AS one");
      assert.deepEqual(rows, [{ one: 1 }]);
    } finally {
      await pool.end();
    }
    // The refusal is taken once: a later pool for the same database asks without the parameter.
    const later = createPool(pooledUrl(), { max: 1 });
    try {
      assert.equal((await later.query("SELECT 1")).rowCount, 1);
    } finally {
      await later.end();
    }
    const refusals = (bouncer?.output() ?? "").match(/closing because: unsupported startup parameter/g) ?? [];
    // Refused only while the first connections were setting out, never after.
    assert.ok(refusals.length <= 4, `refused ${refusals.length} times:\n${bouncer?.output()}`);
  });

  test("three processes migrating an empty database at once apply each migration exactly once", async () => {
    const results = await Promise.allSettled(
      ["a", "b", "c"].map((name) => migrateDatabaseAt(pooledUrl(), `tasks-migrations-${name}`)),
    );
    const failures = results.filter((result) => result.status === "rejected");
    assert.deepEqual(
      failures.map((failure) => String((failure as PromiseRejectedResult).reason)),
      [],
      "every process starts",
    );
    const applied = results.map((result) => (result as PromiseFulfilledResult<{ applied: number }>).value.applied);
    const migrations = committedMigrations();
    assert.deepEqual(
      [...applied].sort((a, b) => b - a),
      [migrations, 0, 0],
      "one applied them all, the others found nothing to do",
    );
    // Checked on a direct connection: each migration recorded once, and the schema is there.
    const pool = createPool(directUrl, { max: 1 });
    try {
      const recorded = await pool.query<{ n: number; distinct: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT created_at)::int AS distinct FROM "drizzle"."__drizzle_migrations"',
      );
      assert.deepEqual(recorded.rows[0], { n: migrations, distinct: migrations });
      const table = await pool.query("SELECT to_regclass('public.task_counts') IS NOT NULL AS ok");
      assert.equal(table.rows[0]?.ok, true);
    } finally {
      await pool.end();
    }
  });
});
