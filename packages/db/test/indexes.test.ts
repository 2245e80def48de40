// What the schema's indexes can serve, with representative SQL written here.
// The plans of the queries the API really sends are checked in
// apps/api/test/list-plans.test.ts.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type pg from "pg";
import { createTestDatabase, fillWithManyTasks } from "../../../scripts/lib/test-database";
import { createPool, migrateDatabaseAt } from "../src/index";

// A database of its own: on the shared one, the other files' tasks made the table larger than
// ANALYZE's sample, the statistics differed from run to run, and a plan the test reads flipped
// (once in CI, on Node 26: the trigram search used its index for the user alone). Here ANALYZE
// reads every row, so each run plans the same.
const ownUrl = await createTestDatabase("indexes");
await migrateDatabaseAt(ownUrl, "indexes-migrations");
const pool = createPool(ownUrl, { max: 2, statementTimeoutMillis: 120_000 });
after(() => pool.end());

/** Runs `statements` on a table filled with 20 000 tasks of 200 users, inside a transaction that is rolled back. */
async function withManyTasks<T>(
  work: (explain: (sql: string, params?: unknown[]) => Promise<string>, client: pg.PoolClient) => Promise<T>,
) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await fillWithManyTasks(client);
    const explain = async (sql: string, params: unknown[] = []) =>
      (await client.query(`EXPLAIN ${sql}`, params)).rows.map((row) => row["QUERY PLAN"]).join("\n");
    return await work(explain, client);
  } finally {
    // A connection that failed cannot roll back: it is closed instead (its transaction ends with it),
    // and the error that broke it is the one the test reports.
    const rolledBack = await client.query("ROLLBACK").then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
  }
}

const someUser = "00000000-0000-4000-8000-000000000007";

test("the default list query (one user, newest first, 50) is served by the (user, created) index", async () => {
  const plan = await withManyTasks((explain) =>
    explain("SELECT * FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 50", [someUser]),
  );
  assert.match(plan, /tasks_user_created_idx/);
  assert.doesNotMatch(plan, /Seq Scan/);
});

test("filtering by status uses the (user, completed, created) index", async () => {
  const plan = await withManyTasks((explain) =>
    explain("SELECT * FROM tasks WHERE user_id = $1 AND completed = true ORDER BY created_at DESC LIMIT 50", [
      someUser,
    ]),
  );
  assert.match(plan, /tasks_user_completed_created_idx/);
});

test("a substring search within one person's tasks (ILIKE '%…%') can use the per-user trigram indexes", async () => {
  // For a person with 100 tasks reading them all is cheapest; with 10 000, a rare word is
  // looked up in the trigram indexes, for that person only.
  const plan = await withManyTasks(async (explain, client) => {
    await client.query(
      `INSERT INTO tasks (id, user_id, title, description, created_at)
       SELECT gen_random_uuid(), $1, 'more work ' || n, md5((n + 100000)::text), now() - n * interval '1 second'
       FROM generate_series(1, 10000) AS n`,
      [someUser],
    );
    // The trigram indexes' pending lists (fastupdate) emptied, as autovacuum keeps them: the planner
    // costs a pending list as read whole, and how full it was depended on whether an autovacuum of
    // the earlier tests' rolled-back rows had emptied it meanwhile (the plan flipped once in a run).
    await client.query(
      "SELECT gin_clean_pending_list(name::regclass) FROM unnest(ARRAY['tasks_user_title_trgm_idx', 'tasks_user_description_trgm_idx']) AS name",
    );
    await client.query("ANALYZE tasks");
    // In a table this small reading it all is cheaper still; the real table is a million rows.
    await client.query("SET LOCAL enable_seqscan = off");
    return explain("SELECT * FROM tasks WHERE user_id = $2 AND (title ILIKE $1 OR description ILIKE $1)", [
      "%rare phrase%",
      someUser,
    ]);
  });
  assert.match(plan, /tasks_user_title_trgm_idx/);
  assert.match(plan, /tasks_user_description_trgm_idx/);
  // The user is part of the index search itself, not a filter applied after it.
  assert.match(plan, /Index Cond: \(\(user_id = .*title ~~\*/);
});
