/**
 * A migration that finds its table held by another transaction (an open transaction of an
 * operator's, a long report) backs off rather than wait in the table's lock queue, where every
 * write asking for the table after it would wait too: an outage for as long as that transaction.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { createTestDatabase } from "../../../scripts/lib/test-database";
import { createPool, migrateDatabaseAt } from "../src/index";
import { migrationsUpTo } from "./migrations-up-to";

test("a migration whose table another transaction holds lets the writes behind it through, and is made once the table is free", async () => {
  const url = await createTestDatabase("migration_locks");
  const pool = createPool(url, { max: 3, statementTimeoutMillis: 60_000 });
  after(() => pool.end());
  // Up to 0016: 0017 (an index on task_create_keys) is left to apply.
  await migrate(drizzle(pool), { migrationsFolder: migrationsUpTo("0016_truncation_and_expiry") });

  const holder = await pool.connect();
  let migrating: Promise<{ applied: number }> | undefined;
  const said: string[] = [];
  try {
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE task_create_keys IN ROW EXCLUSIVE MODE"); // as a transaction that writes it
    migrating = migrateDatabaseAt(url, "tasks-migration-locks", { onWait: (message) => said.push(message) });
    migrating.catch(() => {}); // (awaited below)
    const waitingForLock = async () =>
      (
        await pool.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'tasks-migration-locks' AND wait_event_type = 'Lock'",
        )
      ).rowCount === 1;
    const until = async (condition: () => Promise<boolean>, what: string) => {
      for (const started = Date.now(); !(await condition()); ) {
        assert.ok(Date.now() - started < 10_000, what);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until(waitingForLock, "the migration never waited for the table");
    // A write asking for the table after the migration did, while the holder still holds it.
    const write = pool.query("DELETE FROM task_create_keys WHERE user_id IS NULL").then(() => "done");
    const outcome = await Promise.race([write, new Promise((resolve) => setTimeout(() => resolve("waiting"), 10_000))]);
    assert.equal(outcome, "done", "the write got through within 10 s, the table still held");
    // Said once the migration has rolled back, a moment after its wait ended and let the write through.
    for (const started = Date.now(); said.length === 0; ) {
      assert.ok(Date.now() - started < 5_000, "the wait was not said");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(said.join("\n"), /a migration waits for a table that another transaction holds/);
    // Held through a second try, which waits and backs off in its turn: the wait is said once, not at each try.
    await until(waitingForLock, "the migration did not try again");
    await until(async () => !(await waitingForLock()), "the second try did not back off");
    await holder.query("COMMIT");
  } finally {
    await holder.query("ROLLBACK").catch(() => {});
    holder.release();
  }
  assert.deepEqual(await migrating, { applied: 1 });
  assert.equal(said.length, 1, `said once: ${said.join(" / ")}`);
  const index = await pool.query("SELECT 1 FROM pg_indexes WHERE indexname = 'task_create_keys_user_created_idx'");
  assert.equal(index.rowCount, 1, "0017 was made");
});
