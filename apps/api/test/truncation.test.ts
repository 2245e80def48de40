/**
 * TRUNCATE fires no row trigger, and an operator may use it: to sign everyone
 * out, to empty the tasks. What the row triggers keep must hold all the same
 * (migration 0016): a truncated session's token is refused within 2 seconds,
 * as a deleted one's is, and the lists' totals count no truncated task. On a
 * database of its own: truncating the shared one would take every other
 * file's rows with it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { migrateDatabaseAt } from "@tasks/db";
import { createTestDatabase } from "../../../scripts/lib/test-database";
import { bearer, createTask, setup, type TestContext, type TestUser } from "./helper";

const ownUrl = await createTestDatabase("truncation");
await migrateDatabaseAt(ownUrl);
const ctx = await setup({ DATABASE_URL: ownUrl });

const list = (user: TestUser, query = "") =>
  ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks${query}`, headers: bearer(user.token) });

/**
 * The status of `user`'s list every 50 ms, until it is not 200 or 5 s have gone since `since`:
 * that status, and the milliseconds from `since`.
 */
async function untilRefused(
  app: TestContext["app"],
  user: TestUser,
  since: number,
): Promise<{ status: number; ms: number }> {
  for (;;) {
    const { statusCode } = await app.inject({
      method: "GET",
      url: `/api/${user.id}/tasks`,
      headers: bearer(user.token),
    });
    const ms = Date.now() - since;
    if (statusCode !== 200 || ms > 5_000) return { status: statusCode, ms };
    await sleep(50);
  }
}

test("TRUNCATE sessions (everyone signed out): every token of theirs is refused within 2 s", async () => {
  const people = [await ctx.newUser(), await ctx.newUser()];
  for (const person of people) assert.equal((await list(person)).statusCode, 200, "working (and cached) first");

  await ctx.pool.query("TRUNCATE sessions");
  // Each timed from the TRUNCATE's answer, all at once.
  const since = Date.now();
  for (const { status, ms } of await Promise.all(people.map((person) => untilRefused(ctx.app, person, since)))) {
    assert.equal(status, 401, `refused, not still working ${ms} ms later`);
    assert.ok(ms <= 2_000, `refused after ${ms} ms`);
  }
});

test("TRUNCATE tasks CASCADE: the totals count no task that went, and count the next ones", async () => {
  const person = await ctx.newUser();
  for (const title of ["One", "Two", "Three"]) await createTask(ctx.app, person, { title });
  assert.equal((await list(person)).headers["x-total-count"], "3");
  // A search's total is counted, and kept by the API while the person's counts keep their version.
  assert.equal((await list(person, "?q=o")).headers["x-total-count"], "2");

  // (CASCADE: the idempotency keys refer to tasks.)
  await ctx.pool.query("TRUNCATE tasks CASCADE");
  for (const query of ["", "?status=pending", "?status=completed", "?q=o"]) {
    const response = await list(person, query);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), [], query);
    assert.equal(response.headers["x-total-count"], "0", `the total of ${query || "all"}`);
  }

  const { id } = await createTask(ctx.app, person, { title: "Four" });
  const completed = await ctx.app.inject({
    method: "PATCH",
    url: `/api/${person.id}/tasks/${id}/complete`,
    headers: bearer(person.token),
  });
  assert.equal(completed.statusCode, 200);
  assert.equal((await list(person)).headers["x-total-count"], "1");
  assert.equal((await list(person, "?status=completed")).headers["x-total-count"], "1");
  assert.equal((await list(person, "?status=pending")).headers["x-total-count"], "0");
});

test("TRUNCATE users CASCADE (every account gone, their sessions with them): their tokens are refused within 2 s", async () => {
  const person = await ctx.newUser();
  assert.equal((await list(person)).statusCode, 200, "working (and cached) first");

  await ctx.pool.query("TRUNCATE users CASCADE");
  const { status, ms } = await untilRefused(ctx.app, person, Date.now());
  assert.equal(status, 401, `refused, not still working ${ms} ms later`);
  assert.ok(ms <= 2_000, `refused after ${ms} ms`);
});
