/**
 * X-Total-Count of an unfiltered or status-filtered list comes from the
 * person's counts, kept by triggers on `tasks`: it must always equal what
 * counting the rows says, through every kind of write, and go with the user.
 * A search's or a priority filter's total is counted, and kept by the API
 * while the version of the person's counts stands: it too must never go stale.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { backendPid, waitUntilBlockedBy } from "../../../scripts/lib/lock-waits";
import { assertProblem, bearer, createTask, databaseUrl, setup, type TestUser } from "./helper";

const ctx = await setup();

async function totals(user: TestUser): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const status of ["all", "pending", "completed"]) {
    const response = await ctx.app.inject({
      method: "GET",
      url: `/api/${user.id}/tasks?status=${status}&limit=1`,
      headers: bearer(user.token),
    });
    assert.equal(response.statusCode, 200);
    result[status] = Number(response.headers["x-total-count"]);
  }
  return result;
}

async function counted(userId: string): Promise<Record<string, number>> {
  const { rows } = await ctx.pool.query<{ all: number; pending: number; completed: number }>(
    `SELECT count(*)::int AS all, (count(*) FILTER (WHERE NOT completed))::int AS pending,
            (count(*) FILTER (WHERE completed))::int AS completed
     FROM tasks WHERE user_id = $1`,
    [userId],
  );
  return { ...(rows[0] as { all: number; pending: number; completed: number }) };
}

type Write = "PUT" | "PATCH" | "DELETE";

/** A write to one of `user`'s tasks: `url` is the part after `/tasks/`. */
function writeTask(user: TestUser, method: Write, url: string, payload?: object) {
  return ctx.app.inject({ method, url: `/api/${user.id}/tasks/${url}`, headers: bearer(user.token), payload });
}

test("the totals follow creates, completions (toggle, PUT, PATCH), deletes and direct SQL", async () => {
  const user = await ctx.newUser();
  const other = await ctx.newUser();
  assert.deepEqual(await totals(user), { all: 0, pending: 0, completed: 0 });
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await createTask(ctx.app, user, { title: `task ${i}` })).id);
  await createTask(ctx.app, other, { title: "someone else's" });
  const write = (method: Write, url: string, payload?: object) => writeTask(user, method, url, payload);
  assert.equal((await write("PATCH", `${ids[0]}/complete`)).statusCode, 200);
  assert.equal((await write("PUT", `${ids[1]}`, { title: "done", completed: true })).statusCode, 200);
  assert.equal((await write("PATCH", `${ids[2]}`, { completed: true })).statusCode, 200);
  assert.equal((await write("PATCH", `${ids[2]}`, { completed: true })).statusCode, 200, "no change, no count");
  assert.equal((await write("PATCH", `${ids[0]}/complete`)).statusCode, 200, "back to pending");
  assert.equal((await write("DELETE", `${ids[3]}`)).statusCode, 204);
  assert.deepEqual(await totals(user), { all: 4, pending: 2, completed: 2 });
  assert.deepEqual(await totals(user), await counted(user.id));

  await ctx.pool.query("UPDATE tasks SET completed = NOT completed WHERE user_id = $1", [user.id]);
  await ctx.pool.query("DELETE FROM tasks WHERE id = $1", [ids[4]]);
  assert.deepEqual(await totals(user), await counted(user.id));
  assert.deepEqual(await totals(other), { all: 1, pending: 1, completed: 0 });
});

test("a task given to someone else in SQL moves it between both people's totals", async () => {
  const giver = await ctx.newUser();
  const taker = await ctx.newUser();
  const pending = await createTask(ctx.app, giver, { title: "pending" });
  const done = await createTask(ctx.app, giver, { title: "done" });
  assert.equal((await writeTask(giver, "PATCH", `${done.id}/complete`)).statusCode, 200);
  await createTask(ctx.app, taker, { title: "the taker's own" });
  // The API never does this; the counts must stay right whoever does. The second one is toggled on the way.
  await ctx.pool.query("UPDATE tasks SET user_id = $1 WHERE id = $2", [taker.id, pending.id]);
  await ctx.pool.query("UPDATE tasks SET user_id = $1, completed = false WHERE id = $2", [taker.id, done.id]);
  assert.deepEqual(await totals(giver), { all: 0, pending: 0, completed: 0 });
  assert.deepEqual(await totals(taker), { all: 3, pending: 3, completed: 0 });
  assert.deepEqual(await totals(taker), await counted(taker.id));
});

test("a person's first tasks, created all at once, are all counted", async () => {
  const user = await ctx.newUser();
  // Connections open first, so that the creates below reach PostgreSQL together rather than one by
  // one as each new connection is made.
  await Promise.all(Array.from({ length: 20 }, () => totals(user)));
  // The first of them makes the person's counts row; the others, at the same moment, must add to it.
  const created = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      ctx.app.inject({
        method: "POST",
        url: `/api/${user.id}/tasks`,
        headers: bearer(user.token),
        payload: { title: `task ${i}` },
      }),
    ),
  );
  assert.deepEqual(
    created.map((response) => response.statusCode),
    Array(20).fill(201),
  );
  assert.deepEqual(await totals(user), { all: 20, pending: 20, completed: 0 });
});

test("a search or a priority filter counts its matches", async () => {
  const user = await ctx.newUser();
  await createTask(ctx.app, user, { title: "buy milk", priority: "high" });
  await createTask(ctx.app, user, { title: "call mum" });
  const total = async (query: string) =>
    Number(
      (await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks?${query}`, headers: bearer(user.token) }))
        .headers["x-total-count"],
    );
  assert.equal(await total("q=milk"), 1);
  assert.equal(await total("priority=high"), 1);
  assert.equal(await total("priority=low"), 0);
  assert.equal(await total("status=pending"), 2);
});

test("the counts go with the user", async () => {
  const user = await ctx.newUser();
  await createTask(ctx.app, user);
  const before = await ctx.pool.query("SELECT tasks FROM task_counts WHERE user_id = $1", [user.id]);
  assert.deepEqual(before.rows, [{ tasks: 1 }], "the new task was counted");
  await ctx.pool.query("DELETE FROM users WHERE id = $1", [user.id]);
  const { rows } = await ctx.pool.query("SELECT * FROM task_counts WHERE user_id = $1", [user.id]);
  assert.deepEqual(rows, []);
});

test("a search's or a priority filter's total, asked again and again, follows every write that changes its matches", async () => {
  const user = await ctx.newUser();
  const other = await ctx.newUser();
  const milk = await createTask(ctx.app, user, { title: "buy milk", priority: "high" });
  const cow = await createTask(ctx.app, user, { title: "milk the cow" });
  const mum = await createTask(ctx.app, user, { title: "call mum", priority: "high" });
  const write = async (method: Write, url: string, payload?: object) => {
    const response = await writeTask(user, method, url, payload);
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
  };
  const filters = [
    "q=milk",
    "q=milk&offset=1&limit=1&sort=title",
    "q=MILK&status=completed",
    "q=cow&status=pending",
    "priority=high",
    "priority=high&status=completed&q=m",
  ];
  /** Every filter's total as the API says it (each asked twice) and as counting the rows says it. */
  const check = async (after: string) => {
    for (const filter of filters) {
      const url = new URL(`http://x/?${filter}`);
      const q = url.searchParams.get("q");
      const status = url.searchParams.get("status");
      const priority = url.searchParams.get("priority");
      const { rows } = await ctx.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE user_id = $1
           AND ($2::text IS NULL OR title ILIKE '%' || $2 || '%' OR description ILIKE '%' || $2 || '%')
           AND ($3::boolean IS NULL OR completed = $3) AND ($4::task_priority IS NULL OR priority = $4)`,
        [user.id, q, status === null ? null : status === "completed", priority],
      );
      for (let ask = 0; ask < 2; ask++) {
        const response = await ctx.app.inject({
          method: "GET",
          url: `/api/${user.id}/tasks?${filter}`,
          headers: bearer(user.token),
        });
        assert.equal(response.statusCode, 200);
        assert.equal(Number(response.headers["x-total-count"]), rows[0]?.n, `${filter} after ${after}`);
      }
    }
  };
  await check("the creates");
  await write("PATCH", mum.id, { title: "call mum about milk" });
  await check("a title that now matches");
  await write("PATCH", milk.id, { title: "buy bread" });
  await check("a title that no longer matches");
  await write("PUT", milk.id, { title: "buy bread", description: "and milk", priority: "high" });
  await check("a description that now matches");
  await write("PATCH", cow.id, { priority: "high" });
  await check("a change of priority");
  await write("PATCH", `${cow.id}/complete`);
  await check("a toggle");
  await write("PATCH", mum.id, { completed: true, title: "call mum" });
  await check("a completion and a title at once");
  await write("PATCH", milk.id, { due_date: "2030-01-01" });
  await check("a change of due date alone");
  await createTask(ctx.app, other, { title: "milk for someone else", priority: "high" });
  await check("another person's create");
  await write("DELETE", cow.id);
  await check("a delete");
  await createTask(ctx.app, user, { title: "more milk", priority: "high" });
  await check("a create");
  await ctx.pool.query("UPDATE tasks SET title = 'milk, milk' WHERE user_id = $1", [user.id]);
  await check("a change in SQL");
});

// Toggles the opposite way at once used to deadlock (a 500) when each moved two count rows of the person.
test("toggles in both directions at once, for one person, all succeed and leave the counts right", async () => {
  const user = await ctx.newUser();
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push((await createTask(ctx.app, user, { title: `task ${i}` })).id);
  // Half of them completed, so the toggles below go both ways.
  for (const id of ids.slice(0, 10)) {
    const response = await ctx.app.inject({
      method: "PATCH",
      url: `/api/${user.id}/tasks/${id}/complete`,
      headers: bearer(user.token),
    });
    assert.equal(response.statusCode, 200);
  }
  const statuses = new Map<number, number>();
  for (let round = 0; round < 5; round++) {
    const answers = await Promise.all(ids.map((id) => writeTask(user, "PATCH", `${id}/complete`)));
    for (const answer of answers) statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
  }
  assert.deepEqual([...statuses], [[200, 100]], "every toggle answered 200");
  assert.deepEqual(await totals(user), await counted(user.id));
});

test("a write that PostgreSQL ends in a deadlock is a 503 that changed nothing, not a 500", async () => {
  const user = await ctx.newUser();
  const pending = await createTask(ctx.app, user, { title: "pending" });
  const toggle = (id: string) => writeTask(user, "PATCH", `${id}/complete`);

  // A toggle locks the task's row, then the person's counts. Another transaction takes them the
  // other way round; it waits longer before looking for a deadlock, so PostgreSQL ends the API's statement.
  // A connection of its own: the API's pool closes one it lends for longer than a statement may take.
  const other = new pg.Client({ connectionString: databaseUrl(), statement_timeout: 30_000 });
  await other.connect();
  try {
    await other.query("BEGIN");
    await other.query("SET LOCAL deadlock_timeout = '20s'");
    await other.query("SELECT 1 FROM task_counts WHERE user_id = $1 FOR UPDATE", [user.id]);
    const holder = await backendPid(other);
    const answer = toggle(pending.id);
    // Once the API's statement waits for this transaction (and so holds the task's row), ask for that row.
    await waitUntilBlockedBy(ctx.pool, holder, "the API's toggle never waited for the other transaction");
    await other.query("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [pending.id]);
    await other.query("COMMIT");
    const body = assertProblem(await answer, 503);
    assert.match(String(body.detail), /nothing was changed/);
  } finally {
    await other.end();
  }
  const after = await ctx.app.inject({
    method: "GET",
    url: `/api/${user.id}/tasks/${pending.id}`,
    headers: bearer(user.token),
  });
  assert.equal(after.json().completed, false, "the toggle that failed changed nothing");
  assert.deepEqual(await totals(user), await counted(user.id));
});
