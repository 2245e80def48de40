/**
 * One person's lists run at most so many at once: the next ones wait their
 * turn (for a while), beyond those they are a 429, and another person's list
 * is not held behind them (the pool's other connections stay for everyone
 * else). A list whose client hung up while it waited never runs.
 */
import assert from "node:assert/strict";
import { type AddressInfo, connect } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { assertProblem, createTask, setup, type TestUser } from "./helper";

/**
 * Holds every statement of `users` at `pool` (then runs it as it was) until `releaseAll`, and counts
 * how many of each user's reach it until `restore`.
 */
function holdStatementsOf(pool: pg.Pool, users: TestUser[]) {
  const reached = new Map<string, number>();
  const held: (() => void)[] = [];
  let holding = true;
  const query = pool.query;
  pool.query = function (this: typeof pool, ...args: unknown[]) {
    const config = args[0] as string | { values?: unknown[] };
    const values = (args[1] as unknown[] | undefined) ?? (typeof config === "string" ? [] : (config.values ?? []));
    const user = users.find(({ id }) => values.includes(id));
    if (!user) return (query as (...a: unknown[]) => unknown).apply(this, args);
    reached.set(user.id, (reached.get(user.id) ?? 0) + 1);
    if (!holding) return (query as (...a: unknown[]) => unknown).apply(this, args);
    return new Promise<void>((resolve) => held.push(resolve)).then(() =>
      (query as (...a: unknown[]) => unknown).apply(this, args),
    );
  } as typeof pool.query;
  return {
    reached: (user: TestUser) => reached.get(user.id) ?? 0,
    async until(what: string, done: () => boolean) {
      for (const started = Date.now(); !done(); await sleep(10)) {
        assert.ok(Date.now() - started < 5_000, `timed out waiting until ${what}: ${JSON.stringify([...reached])}`);
      }
    },
    releaseAll() {
      holding = false;
      for (const release of held.splice(0)) release();
    },
    restore() {
      this.releaseAll();
      pool.query = query;
    },
  };
}

test("a person's lists: two run at once, three wait, the next is a 429; another person's runs meanwhile", async () => {
  const ctx = await setup({}, {}, undefined, false, { listSlots: { maxRunning: 2, maxWaiting: 3, maxWaitMs: 60_000 } });
  const alice = await ctx.newUser();
  const bob = await ctx.newUser();
  await createTask(ctx.app, alice, { title: "Alice's" });
  await createTask(ctx.app, bob, { title: "Bob's" });
  const list = (user: TestUser) => ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
  const pool = holdStatementsOf(ctx.pool, [alice, bob]);
  try {
    const alices = Array.from({ length: 6 }, () => list(alice));
    const bobs = list(bob);
    await pool.until(
      "two of Alice's and Bob's are at the pool",
      () => pool.reached(alice) >= 2 && pool.reached(bob) >= 1,
    );
    await sleep(200); // time for more of Alice's to reach the pool, were they let through
    assert.equal(pool.reached(alice), 2, "two of Alice's lists run at once");
    assert.equal(pool.reached(bob), 1, "Bob's is not held behind hers");

    pool.releaseAll();
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
    pool.restore();
  }
});

test("a list waits for its turn only so long: then a 429", async () => {
  const ctx = await setup({}, {}, undefined, false, { listSlots: { maxRunning: 1, maxWaiting: 5, maxWaitMs: 500 } });
  const alice = await ctx.newUser();
  const list = () => ctx.app.inject({ method: "GET", url: `/api/${alice.id}/tasks`, headers: alice.auth });
  const pool = holdStatementsOf(ctx.pool, [alice]);
  try {
    const first = list();
    await pool.until("her first list is at the pool", () => pool.reached(alice) === 1);
    // Waits past its time: a 429 with Retry-After, as when too many wait.
    const waited = await Promise.race([list(), sleep(5_000).then(() => null)]);
    assert.ok(waited, "still waiting after 5 s");
    assertProblem(waited, 429);
    assert.equal(waited.headers["retry-after"], "1");
    pool.releaseAll();
    assert.equal((await first).statusCode, 200);
  } finally {
    pool.restore();
  }
});

test("a list whose client hung up while it waited for its turn never runs", async () => {
  // A wait far longer than the test: the hung-up list cannot leave by its deadline instead.
  const ctx = await setup({}, {}, undefined, false, { listSlots: { maxRunning: 1, maxWaiting: 5, maxWaitMs: 60_000 } });
  const alice = await ctx.newUser();
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = ctx.app.server.address() as AddressInfo;
  const pool = holdStatementsOf(ctx.pool, [alice]);
  try {
    const first = ctx.app.inject({ method: "GET", url: `/api/${alice.id}/tasks`, headers: alice.auth });
    await pool.until("her first list is at the pool", () => pool.reached(alice) === 1);
    // One over a real connection that hangs up while it waits.
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(
      `GET /api/${alice.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${alice.auth.authorization}\r\n\r\n`,
    );
    await sleep(200);
    socket.destroy();
    await sleep(100);
    pool.releaseAll();
    assert.equal((await first).statusCode, 200);
    await sleep(300);
    assert.equal(pool.reached(alice), 1, "the list whose client hung up did not run");
  } finally {
    pool.restore();
  }
});
