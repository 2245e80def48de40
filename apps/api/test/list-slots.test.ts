/**
 * One person's lists run at most so many at once: the next ones wait their
 * turn, beyond those they are a 429, and another person's list is not held
 * behind them (the pool's other connections stay for everyone else).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { assertProblem, createTask, setup } from "./helper";

const ctx = await setup({}, {}, undefined, false, { listsPerUser: { running: 2, waiting: 3 } });

test("a person's lists: two run at once, three wait, the next is a 429; another person's runs meanwhile", async () => {
  const alice = await ctx.newUser();
  const bob = await ctx.newUser();
  await createTask(ctx.app, alice, { title: "Alice's" });
  await createTask(ctx.app, bob, { title: "Bob's" });

  // Every statement of theirs that reaches the pool is held there (then run as it is) until released.
  const reached = new Map<string, number>();
  const held: (() => void)[] = [];
  const query = ctx.pool.query;
  ctx.pool.query = function (this: typeof ctx.pool, ...args: unknown[]) {
    const config = args[0] as string | { values?: unknown[] };
    const values = (args[1] as unknown[] | undefined) ?? (typeof config === "string" ? [] : (config.values ?? []));
    const user = [alice.id, bob.id].find((id) => values.includes(id));
    if (!user) return (query as (...a: unknown[]) => unknown).apply(this, args);
    reached.set(user, (reached.get(user) ?? 0) + 1);
    return new Promise<void>((resolve) => held.push(resolve)).then(() =>
      (query as (...a: unknown[]) => unknown).apply(this, args),
    );
  } as typeof ctx.pool.query;

  const list = (user: typeof alice) =>
    ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
  try {
    const alices = Array.from({ length: 6 }, () => list(alice));
    const bobs = list(bob);
    for (const started = Date.now(); (reached.get(alice.id) ?? 0) < 2 || (reached.get(bob.id) ?? 0) < 1; ) {
      assert.ok(Date.now() - started < 5_000, `waiting for the statements: ${JSON.stringify([...reached])}`);
      await sleep(10);
    }
    await sleep(200); // time for more of Alice's to reach the pool, were they let through
    assert.equal(reached.get(alice.id), 2, "two of Alice's lists run at once");
    assert.equal(reached.get(bob.id), 1, "Bob's is not held behind hers");

    ctx.pool.query = query;
    for (const release of held) release();
    const answers = await Promise.all(alices);
    const statuses = answers.map((answer) => answer.statusCode).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429], "three waited their turn; the sixth was refused");
    const refused = answers.find((answer) => answer.statusCode === 429);
    assertProblem(refused as NonNullable<typeof refused>, 429);
    assert.equal(refused?.headers["retry-after"], "1");
    for (const answer of answers.filter((a) => a.statusCode === 200)) {
      assert.deepEqual(
        answer.json().map((task: { title: string }) => task.title),
        ["Alice's"],
      );
    }
    assert.equal((await bobs).statusCode, 200);
    // All done: her lists run again.
    assert.equal((await list(alice)).statusCode, 200);
  } finally {
    ctx.pool.query = query;
    for (const release of held) release();
  }
});
