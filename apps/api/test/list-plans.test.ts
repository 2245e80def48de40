/**
 * The plans of the list queries the API really sends (captured from its pool,
 * not written again here), on a table of 20 000 tasks of 200 users, inside a
 * transaction that is rolled back.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setup } from "./helper";

const ctx = await setup();

/** The SQL text and parameters of every query the app sends while `run` runs. */
async function captureQueries(run: () => Promise<unknown>): Promise<{ text: string; values: unknown[] }[]> {
  const captured: { text: string; values: unknown[] }[] = [];
  const { pool } = ctx;
  const originalQuery = pool.query;
  pool.query = function (this: typeof pool, ...args: unknown[]) {
    // Drizzle passes the statement (a string or { name, text }) and its parameters apart.
    const config = args[0] as string | { text: string; values?: unknown[] };
    const text = typeof config === "string" ? config : config.text;
    const values = (args[1] as unknown[] | undefined) ?? (typeof config === "string" ? [] : (config.values ?? []));
    captured.push({ text, values });
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pool.query;
  try {
    await run();
  } finally {
    pool.query = originalQuery;
  }
  return captured;
}

/** The plan of the API's list query for `search` (e.g. "?status=completed"), as one user of 200 with 100 tasks. */
async function planOfList(search: string): Promise<string> {
  const user = await ctx.newUser();
  const [query] = await captureQueries(() =>
    ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks${search}`, headers: user.auth }),
  );
  assert.ok(query, "the list request ran a query");
  const client = await ctx.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(`
      INSERT INTO users (id, name, email)
      SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'u', 'plan-test-' || n || '@example.test'
      FROM generate_series(1, 199) AS n`);
    await client.query(
      `INSERT INTO tasks (id, user_id, title, description, completed, created_at)
       SELECT gen_random_uuid(),
              CASE WHEN n % 200 = 0 THEN $1::uuid
                   ELSE ('00000000-0000-4000-8000-' || lpad(to_hex(n % 200), 12, '0'))::uuid END,
              'task number ' || n, md5(n::text), n % 3 = 0, now() - n * interval '1 second'
       FROM generate_series(1, 20000) AS n`,
      [user.id],
    );
    await client.query("ANALYZE tasks");
    const plan = await client.query(`EXPLAIN ${query.text}`, query.values);
    return plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
}

// What these plans show (and packages/db/test/indexes.test.ts, with hand-written
// SQL, does not): the page's total (count(*) OVER ()) needs all of a user's
// matching rows, so PostgreSQL reads them through a per-user index and sorts
// them, rather than walking the (user, created) order and stopping at the
// page's end; and a search filters the user's rows rather than asking the
// trigram indexes. Either way no query reads other users' rows.
describe("the list queries the API sends reach only the user's rows, through an index", () => {
  for (const [name, search] of [
    ["the default list", ""],
    ["a status filter", "?status=completed"],
    ["a search", "?q=19876"],
    ["a sort by due date", "?sort=due"],
  ] as const) {
    test(name, async () => {
      const plan = await planOfList(search);
      assert.match(plan, /Index Cond: \(+user_id = /, plan);
      assert.match(plan, /tasks_user_(completed_)?created_idx/, plan);
      assert.doesNotMatch(plan, /Seq Scan on tasks/, plan);
    });
  }
});
