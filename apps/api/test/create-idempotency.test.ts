/**
 * `Idempotency-Key` on create: a client that got no answer sends the same
 * create again with the same key and gets the task the first one made, not a
 * second one; the key is the person's own; another body with a used key is
 * refused and changes nothing.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { assertProblem, createTask, setup, storedTasks, type TestUser } from "./helper";

const ctx = await setup();

function create(user: TestUser, body: object, key?: string) {
  return ctx.app.inject({
    method: "POST",
    url: `/api/${user.id}/tasks`,
    headers: { ...user.auth, ...(key === undefined ? {} : { "idempotency-key": key }) },
    payload: body,
  });
}

async function titles(user: TestUser): Promise<unknown[]> {
  return (await storedTasks(ctx.pool, user.id)).map((task) => task.title);
}

describe("Idempotency-Key on create", () => {
  test("the same create with the same key twice makes one task; both answers are it", async () => {
    const user = await ctx.newUser();
    const key = randomUUID();
    const first = await create(user, { title: "Buy milk", priority: "high" }, key);
    const again = await create(user, { title: "Buy milk", priority: "high" }, `"${key}"`); // quoted, as the draft writes it
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.equal(again.json().id, first.json().id);
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.deepEqual(await titles(user), ["Buy milk"]);
    const listed = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
    assert.equal(listed.headers["x-total-count"], "1");

    // Without a key, or with a new one, a create is a new task as ever.
    assert.equal((await create(user, { title: "Buy milk", priority: "high" })).statusCode, 201);
    assert.equal((await create(user, { title: "Buy milk", priority: "high" }, randomUUID())).statusCode, 201);
    assert.equal((await titles(user)).length, 3);
  });

  test("creates with one key sent at once make one task", async () => {
    const user = await ctx.newUser();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(user, { title: "Once" }, key)));
    assert.deepEqual(
      answers.map((answer) => answer.statusCode),
      Array(6).fill(201),
    );
    assert.equal(new Set(answers.map((answer) => answer.json().id)).size, 1);
    assert.deepEqual(await titles(user), ["Once"]);
  });

  test("a used key with another body is 422 and changes nothing; another person's same key is their own", async () => {
    const user = await ctx.newUser();
    const other = await ctx.newUser();
    const key = randomUUID();
    const first = await create(user, { title: "Call mum" }, key);
    assert.equal(first.statusCode, 201);
    const changed = await create(user, { title: "Call dad" }, key);
    assert.match(String(assertProblem(changed, 422).detail), /Idempotency-Key was already used/);
    assert.deepEqual(await titles(user), ["Call mum"]);

    const theirs = await create(other, { title: "Call mum" }, key);
    assert.equal(theirs.statusCode, 201);
    assert.notEqual(theirs.json().id, first.json().id);
    assert.equal(theirs.json().user_id, other.id);
    assert.deepEqual(await titles(other), ["Call mum"]);
    // Each one's retry finds their own task among the two the key named, never the other's.
    const retried = await create(user, { title: "Call mum" }, key);
    const theirsRetried = await create(other, { title: "Call mum" }, key);
    assert.equal(retried.json().id, first.json().id);
    assert.equal(retried.json().user_id, user.id);
    assert.equal(theirsRetried.json().id, theirs.json().id);
    assert.equal(theirsRetried.json().user_id, other.id);
    assert.equal((await storedTasks(ctx.pool, user.id)).length + (await storedTasks(ctx.pool, other.id)).length, 2);
  });

  test("a used key with the same title but another priority, description or due date is 422 and changes nothing", async () => {
    // The whole body is the request, not its title: a retry that answered with the first task would
    // tell the client its new priority or date was saved when it was not.
    const user = await ctx.newUser();
    const key = randomUUID();
    const body = { title: "Pay rent", description: "By transfer", priority: "high", due_date: "2030-01-31" };
    const first = await create(user, body, key);
    assert.equal(first.statusCode, 201);
    const before = await storedTasks(ctx.pool, user.id);

    const changes: Array<Record<string, unknown>> = [
      { priority: "low" },
      { priority: undefined }, // left out, so the default (medium)
      { description: "In cash" },
      { description: "" },
      { due_date: "2030-02-28" },
      { due_date: null },
    ];
    for (const change of changes) {
      const answer = await create(user, { ...body, ...change }, key);
      const what = `the same title with ${JSON.stringify(change, (_, value) => (value === undefined ? "left out" : value))}`;
      assert.equal(answer.statusCode, 422, `${what}: ${answer.body}`);
      assert.match(String(assertProblem(answer, 422).detail), /Idempotency-Key was already used/, what);
    }
    assert.deepEqual(await storedTasks(ctx.pool, user.id), before, "no task made, none changed");

    // The very same body still gets the first task: the refusals were the body's, not the key's.
    const again = await create(user, body, key);
    assert.equal(again.statusCode, 201);
    assert.equal(again.json().id, first.json().id);
    assert.deepEqual(await storedTasks(ctx.pool, user.id), before);
  });

  test("once its task is deleted, the key makes a new one; a malformed key is 400 and nothing is made", async () => {
    const user = await ctx.newUser();
    const key = randomUUID();
    const first = await create(user, { title: "Water plants" }, key);
    const deleted = await ctx.app.inject({
      method: "DELETE",
      url: `/api/${user.id}/tasks/${first.json().id}`,
      headers: user.auth,
    });
    assert.equal(deleted.statusCode, 204);
    const again = await create(user, { title: "Water plants" }, key);
    assert.equal(again.statusCode, 201);
    assert.notEqual(again.json().id, first.json().id);

    for (const bad of ["short", "a key with spaces", "x".repeat(129), '"unterminated']) {
      assertProblem(await create(user, { title: "Not made" }, bad), 400);
    }
    assert.deepEqual(await titles(user), ["Water plants"]);
  });

  test("a person's keys older than a day go after their next keyed create; newer ones stay", async () => {
    const user = await ctx.newUser();
    const other = await ctx.newUser();
    const oldKey = randomUUID();
    const old = await create(user, { title: "From last week" }, oldKey);
    const recent = await create(user, { title: "From today" }, randomUUID());
    // Another person's key of the same text, made today: theirs, and not swept with this person's.
    const othersToday = await create(other, { title: "Theirs" }, oldKey);
    await ctx.pool.query("UPDATE task_create_keys SET created_at = now() - interval '25 hours' WHERE task_id = $1", [
      old.json().id,
    ]);
    const keyed = async () =>
      (
        await ctx.pool.query<{ task_id: string }>("SELECT task_id FROM task_create_keys WHERE user_id = $1", [user.id])
      ).rows
        .map((row) => row.task_id)
        .sort();
    await create(user, { title: "Now" }, randomUUID());
    // The sweep runs after the create has answered.
    for (let i = 0; (await keyed()).includes(old.json().id); i++) {
      assert.ok(i < 100, "the day-old key is still there after 2 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await keyed()).length, 2);
    assert.ok((await keyed()).includes(recent.json().id));
    assert.equal((await titles(user)).length, 3, "the tasks themselves stay");
    const othersRetry = await create(other, { title: "Theirs" }, oldKey);
    assert.equal(othersRetry.json().id, othersToday.json().id, "the other person's key is still theirs");
    assert.deepEqual(await titles(other), ["Theirs"]);
  });

  test("a backlog of old keys goes a thousand at a time, over the next keyed creates", async () => {
    const user = await ctx.newUser();
    // 1,500 tasks with day-old keys, written here (keyed creates would each start a sweep).
    await ctx.pool.query(
      `WITH made AS (
         INSERT INTO tasks (id, user_id, title) SELECT gen_random_uuid(), $1, 'Old ' || n FROM generate_series(1, 1500) AS n
         RETURNING id)
       INSERT INTO task_create_keys (user_id, key, task_id, request_hash, created_at)
       SELECT $1, 'old-' || id, id, 'x', now() - interval '25 hours' FROM made`,
      [user.id],
    );
    const oldKeys = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM task_create_keys WHERE user_id = $1 AND created_at < now() - interval '1 day'",
          [user.id],
        )
      ).rows[0]?.n;
    const sweptTo = async (left: number) => {
      assert.equal((await create(user, { title: `Now, ${left} old keys to be left` }, randomUUID())).statusCode, 201);
      for (let i = 0; (await oldKeys()) !== left; i++) {
        assert.ok(i < 100, `${await oldKeys()} old keys after 2 s, not ${left}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await sweptTo(500);
    await sweptTo(0);
  });

  test("the sweep of old keys takes only the rows no one holds, and waits for none (deleting the account holds them in its own order)", async () => {
    const user = await ctx.newUser();
    // Two tasks with day-old keys, written here: keyed creates would each start a sweep of their own,
    // which could run after the keys were aged and take both before the test holds one.
    const held = await createTask(ctx.app, user, { title: "Held" });
    const free = await createTask(ctx.app, user, { title: "Free" });
    for (const task of [held, free]) {
      await ctx.pool.query(
        "INSERT INTO task_create_keys (user_id, key, task_id, request_hash, created_at) VALUES ($1, $2, $3, 'x', now() - interval '25 hours')",
        [user.id, randomUUID(), task.id],
      );
    }
    const keyed = async () =>
      (
        await ctx.pool.query<{ task_id: string }>("SELECT task_id FROM task_create_keys WHERE user_id = $1", [user.id])
      ).rows.map((row) => row.task_id);
    // Another transaction (an account's deletion, say) holds one of the old keys' rows.
    const other = await ctx.pool.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM task_create_keys WHERE task_id = $1 FOR UPDATE", [held.id]);
      assert.equal((await create(user, { title: "Now" }, randomUUID())).statusCode, 201);
      // The free one goes while the other is still held: the sweep did not wait for it.
      for (let i = 0; (await keyed()).includes(free.id); i++) {
        assert.ok(i < 100, "the free day-old key is still there after 2 s: the sweep waits for the held one");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok((await keyed()).includes(held.id), "the held one is left for the next sweep");
    } finally {
      await other.query("ROLLBACK").catch(() => {});
      other.release();
    }
  });

  test("a key's rows go with the person", async () => {
    const user = await ctx.newUser();
    assert.equal((await create(user, { title: "Mine" }, randomUUID())).statusCode, 201);
    const kept = await ctx.pool.query("SELECT 1 FROM task_create_keys WHERE user_id = $1", [user.id]);
    assert.equal(kept.rowCount, 1, "the key was kept");
    await ctx.pool.query("DELETE FROM users WHERE id = $1", [user.id]);
    const left = await ctx.pool.query("SELECT 1 FROM task_create_keys WHERE user_id = $1", [user.id]);
    assert.equal(left.rowCount, 0);
  });
});
