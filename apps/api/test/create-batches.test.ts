/**
 * Creates that come together go to PostgreSQL as one INSERT
 * (src/tasks/create-batches.ts). No client may be able to tell: each answer
 * is the creator's own task, a person's creates keep distinct times, and a
 * batch that fails for one create fails no other.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import {
  assertProblem,
  captureQueries,
  mintToken,
  sendCreatesTogether,
  setup,
  storedTasks,
  type TestUser,
  taskInserts,
} from "./helper";

const ctx = await setup();

const post = (user: Pick<TestUser, "id" | "auth">, title: string) =>
  ctx.app.inject({
    method: "POST",
    url: `/api/${user.id}/tasks`,
    headers: user.auth,
    payload: { title, description: `by ${user.id}`, priority: "high" },
  });

describe("creates sent together", () => {
  test("go as one INSERT, by person, and each answer is the creator's own task", async () => {
    const people = await Promise.all(Array.from({ length: 8 }, () => ctx.newUser()));
    const [first] = people as [TestUser];
    // The first person sends three at once: they may not share a statement (nor its time).
    const sends = [
      ...people.map((user, i) => ({ user, title: `task ${i}` })),
      { user: first, title: "task 0, second" },
      { user: first, title: "task 0, third" },
    ];
    let answers: Awaited<ReturnType<typeof post>>[] = [];
    const statements = await captureQueries(ctx.pool, () =>
      sendCreatesTogether(ctx, async () => {
        answers = await Promise.all(sends.map(({ user, title }) => post(user, title)));
      }),
    );

    const batches = taskInserts(statements).filter((insert) => insert.users.length > 1);
    assert.ok(batches.length > 0, "the creates went as one INSERT of many rows");
    for (const { users } of batches) {
      assert.equal(new Set(users).size, users.length, "one create a person in a statement");
      assert.deepEqual(users, [...users].sort(), "rows by person, in PostgreSQL's order of uuids");
    }
    const everyone = new Set(batches.flatMap((batch) => batch.users));
    for (const user of people) assert.ok(everyone.has(user.id), "each person's first create was in a batch");

    for (const [i, { user, title }] of sends.entries()) {
      const answer = answers[i];
      assert.equal(answer?.statusCode, 201, answer?.body);
      const task = answer.json();
      assert.equal(task.user_id, user.id);
      assert.equal(task.title, title);
      assert.equal(task.description, `by ${user.id}`);
      assert.equal(answer.headers.location, `/api/${user.id}/tasks/${task.id}`);
      const read = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks/${task.id}`, headers: user.auth });
      assert.equal(read.body, answer.body, "the answer is the stored task");
    }
    for (const user of people) {
      const titles = (await storedTasks(ctx.pool, user.id)).map((row) => row.title);
      assert.deepEqual(
        titles.sort(),
        sends
          .filter((send) => send.user === user)
          .map((send) => send.title)
          .sort(),
      );
      const list = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
      assert.equal(list.headers["x-total-count"], String(titles.length), "the person's counts moved once a task");
    }
    const { rows } = await ctx.pool.query("SELECT created_at::text AS at FROM tasks WHERE user_id = $1", [first.id]);
    const times = rows.map((row) => row.at);
    assert.equal(new Set(times).size, 3, `one person's three tasks have three times (to the µs): ${times}`);
  });

  test("a batch that fails for one create (its account is gone) answers every create alone", async () => {
    const people = await Promise.all(Array.from({ length: 4 }, () => ctx.newUser()));
    // A valid token for an account that no longer exists: the INSERT's foreign key refuses its row.
    const ghostId = randomUUID();
    const token = await mintToken({ key: ctx.key, claims: { sub: ghostId, sid: randomUUID() } });
    const ghost = { id: ghostId, auth: { authorization: `Bearer ${token}` } };
    const senders = [...people.slice(0, 2), ghost, ...people.slice(2)];
    let answers: Awaited<ReturnType<typeof post>>[] = [];
    const statements = await captureQueries(ctx.pool, () =>
      sendCreatesTogether(ctx, async () => {
        answers = await Promise.all(senders.map((user, i) => post(user, `task ${i}`)));
      }),
    );

    const inserts = taskInserts(statements);
    assert.ok(
      inserts.some((insert) => insert.users.length > 1 && insert.users.includes(ghostId)),
      "the ghost's create was in a batch with others",
    );
    for (const user of senders) {
      assert.ok(
        inserts.some((insert) => insert.users.length === 1 && insert.users[0] === user.id),
        "then each was tried alone",
      );
    }
    for (const [i, user] of senders.entries()) {
      const answer = answers[i];
      if (user === ghost) {
        assert.ok(answer);
        assert.match(String(assertProblem(answer, 401).detail), /no longer exists/);
        assert.equal(answer.headers["www-authenticate"], 'Bearer realm="tasks", error="invalid_token"');
      } else {
        assert.equal(answer?.statusCode, 201, answer?.body);
        assert.equal(answer?.json().user_id, user.id);
        assert.deepEqual(
          (await storedTasks(ctx.pool, user.id)).map((row) => row.title),
          [`task ${i}`],
        );
      }
    }
    assert.deepEqual(await storedTasks(ctx.pool, ghostId), []);
  });
});
