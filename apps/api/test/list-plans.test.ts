/**
 * The plans of the list queries the API really sends (captured from its pool,
 * not written again here), in a database of the file's own filled once with
 * 20 000 tasks of 200 people, beside which each test's person has 400: each
 * sort's page is read from that sort's index and stops at the page's end.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createPool, migrateDatabaseAt, taskPriority } from "@tasks/db";
import { createTestDatabase, fillWithManyTasks, insertNumberedTasks } from "../../../scripts/lib/test-database";
import { captureQueries, setup } from "./helper";

const ownUrl = await createTestDatabase("list_plans");
await migrateDatabaseAt(ownUrl, "list-plans-migrations");
const ctx = await setup({ DATABASE_URL: ownUrl });
// The test's own statements go through a pool of their own. The API's pool closes a connection lent
// for longer than a statement may take (closeSilentLoans); on a busy machine, filling the table and
// EXPLAIN on one connection took longer than that, and the lost connection hung the whole run.
const planPool = createPool(ownUrl, { max: 1, statementTimeoutMillis: 120_000 });
after(() => planPool.end());
await fillWithManyTasks(planPool);

/**
 * The plan (with actual row counts) of the API's list query for `search`, as a new person with 400
 * tasks of their own. With `titles`, the person first has a task of each title too, and the request
 * is asked twice: the plan is the second's, sent with the total the first counted.
 */
async function planOfList(search: string, titles: string[] = []): Promise<string> {
  const user = await ctx.newUser();
  await insertNumberedTasks(planPool, 400, user.id);
  await planPool.query(
    "INSERT INTO tasks (id, user_id, title, description) SELECT gen_random_uuid(), $1, title, '' FROM unnest($2::text[]) AS title",
    [user.id, titles],
  );
  // Statistics of the same table in every test, not whatever autovacuum last saw.
  await planPool.query("ANALYZE tasks");
  const ask = () => ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks${search}`, headers: user.auth });
  if (titles.length > 0) await ask();
  const [query] = await captureQueries(ctx.pool, ask);
  assert.ok(query, "the list request ran a query");
  const client = await planPool.connect();
  try {
    // The plan the API's named statement runs on: PostgreSQL's generic plan for it (which it
    // keeps after five runs), not one made for these values.
    await client.query("SET plan_cache_mode = force_generic_plan");
    await client.query(`PREPARE list_plan AS ${query.text}`);
    const values = query.values.map((value) => (value === null ? "NULL" : client.escapeLiteral(String(value))));
    const plan = await client.query(`EXPLAIN (ANALYZE, COSTS OFF) EXECUTE list_plan(${values.join(", ")})`);
    return plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    // Closed, not given back: its setting and its prepared statement go with it.
    client.release(true);
  }
}

/**
 * Each plan node whose line matches `head`, with its own detail lines (those
 * indented deeper, up to its first child node): how many rows it returned
 * and how many its filter dropped.
 */
function planNodes(plan: string, head: RegExp): { text: string; rows: number; removedByFilter: number }[] {
  const lines = plan.split("\n");
  const nodes: { text: string; rows: number; removedByFilter: number }[] = [];
  for (const [start, line] of lines.entries()) {
    if (!head.test(line)) continue;
    const own = [line];
    for (const detail of lines.slice(start + 1)) {
      if (detail.includes("->")) break;
      own.push(detail);
    }
    const text = own.join("\n");
    nodes.push({
      text,
      rows: Number(/actual[^)]*rows=(\d+)/.exec(text)?.[1] ?? Number.NaN),
      removedByFilter: Number(/Rows Removed by Filter: (\d+)/.exec(text)?.[1] ?? 0),
    });
  }
  return nodes;
}

/** The first plan node whose line matches `head` (see planNodes). */
function planNode(plan: string, head: RegExp): { text: string; rows: number; removedByFilter: number } | undefined {
  return planNodes(plan, head)[0];
}

describe("each list query reaches only the user's rows, and its page only the page's entries of its sort's index", () => {
  // `runs`: how many stretches of the index the order is read as (list-query.ts, orderRuns), each
  // for the page's entries.
  for (const [name, search, index, runs] of [
    ["the default list", "?limit=20", "tasks_user_created_idx", 1],
    ["a status filter", "?status=completed&limit=20", "tasks_user_(?:completed_)?created_idx", 1],
    ["a sort by due date", "?sort=due&limit=20", "tasks_user_due_idx", 1],
    ["a sort by due date, latest first (no date still last)", "?sort=due&order=desc&limit=20", "tasks_user_due_idx", 2],
    ["a sort by title", "?sort=title&limit=20", "tasks_user_title_idx", 1],
    ["a sort by priority", "?sort=priority&limit=20", "tasks_user_priority_idx", 1],
    ["a sort by priority, lowest first", "?sort=priority&order=asc&limit=20", "tasks_user_priority_idx", 3],
    [
      "completed tasks by due date, latest first",
      "?status=completed&sort=due&order=desc&limit=20",
      "tasks_user_due_idx",
      2,
    ],
    [
      "one priority, lowest first (one run)",
      "?priority=low&sort=priority&order=asc&limit=20",
      "tasks_user_priority_idx",
      1,
    ],
    ["a sort by last change", "?sort=updated&limit=20", "tasks_user_updated_idx", 1],
  ] as const) {
    test(name, async () => {
      const plan = await planOfList(search);
      assert.doesNotMatch(plan, /Seq Scan on tasks/, plan);
      // The page: the sort's own index, read for the page's entries only (no sort of all 400).
      const scans = planNodes(plan, new RegExp(`Index (?:Only )?Scan(?: Backward)? using ${index} on tasks `));
      assert.equal(scans.length, runs, `the page walks ${index}${runs > 1 ? ` in ${runs} runs` : ""}:\n${plan}`);
      for (const scan of scans) {
        assert.match(scan.text, /Index Cond: \(+user_id = /, `the page's scan starts at the user:\n${plan}`);
      }
      // Entries read = rows returned + rows its filter dropped. A completed task is one in three
      // here: a page of 20 reads about 60 entries. A run read backwards ends on a whole day's tasks
      // (a few here), which it sorts newest first.
      const entries = scans.reduce((sum, scan) => sum + scan.rows + scan.removedByFilter, 0);
      const bound = runs * 20 * (search.includes("completed") ? 4 : 1) + (runs > 1 ? 10 : 0);
      assert.ok(entries <= bound, `${entries} entries read, more than ${bound}:\n${plan}`);
    });
  }

  test("the priorities read one run each are all the database has", async () => {
    // A priority the code did not know would be in no run: its tasks counted, never listed.
    const { rows } = await planPool.query<{ value: string }>("SELECT unnest(enum_range(NULL::task_priority)) AS value");
    assert.deepEqual(
      rows.map((row) => row.value),
      taskPriority.enumValues,
    );
  });

  test("a common text asked again walks the sort's index for the page's entries; a rare one does not", async () => {
    // 100 of the user's tasks (and then all 400 more) say "task number": once counted, that is common.
    const common = await planOfList(
      "?q=task+number&limit=20",
      Array.from({ length: 100 }, (_, n) => `task number ${n}`),
    );
    assert.doesNotMatch(common, /Seq Scan on tasks/, common);
    const walk = planNode(common, /Index (?:Only )?Scan using tasks_user_created_idx on tasks /);
    assert.ok(walk && /Subquery Scan on walk/.test(common), `the page walks tasks_user_created_idx:\n${common}`);
    assert.match(walk.text, /Index Cond: \(+user_id = /, common);
    assert.ok(walk.rows <= 20, `${walk.rows} entries walked for a page of 20 that all match:\n${common}`);
    // One task in 500 says "quarterly": a walk would read all of them, so the statement does not walk
    // (its plan reads the trigram indexes or, on a table this small, the user's rows; see below).
    const rare = await planOfList("?q=quarterly&limit=20", [
      "quarterly report",
      ...Array.from({ length: 99 }, (_, n) => `chore ${n}`),
    ]);
    assert.doesNotMatch(rare, /Subquery Scan on walk|Seq Scan on tasks/, rare);
    assert.match(rare, /Index Cond: \(+user_id = /, rare);
  });

  test("a search reads the user's trigram matches or the user's rows, never another user's", async () => {
    const plan = await planOfList("?q=19876");
    assert.doesNotMatch(plan, /Seq Scan on tasks/, plan);
    assert.match(plan, /Index Cond: \(+user_id = /, plan);
  });
});
