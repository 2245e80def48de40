/**
 * Shared set-up for the Task API tests: a real PostgreSQL (DATABASE_URL from
 * scripts/test.ts), a real JWKS server with keys of our own (so every bad
 * token can be minted), users inserted as Better Auth would, and the app
 * built without listening.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after } from "node:test";
import { createPool, type PoolOptions, sessions, users } from "@tasks/db";
import { drizzle } from "drizzle-orm/node-postgres";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { backendPid } from "../../../scripts/lib/lock-waits";
import { type AppOptions, buildApp } from "../src/app";
import { loadConfig } from "../src/config";
import { createBatchLimits } from "../src/tasks/create-batches";
import { AUDIENCE, ISSUER, JwksServer, mintToken, newSigningKey, type SigningKey } from "./keys";

export * from "./keys";

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run the tests with `npm test`");
  return url;
}

export interface TestContext {
  app: FastifyInstance;
  pool: pg.Pool;
  jwks: JwksServer;
  key: SigningKey;
  /** A user row, as Better Auth would have created it, and a valid token for it. */
  newUser(): Promise<TestUser>;
}

export interface TestUser {
  id: string;
  /** The sign-in session (a row in `sessions`) the token was issued from: its `sid`. */
  sessionId: string;
  token: string;
  auth: { authorization: string };
}

/**
 * One API process over the test database (or `env.DATABASE_URL`), taking the keys at `jwksUrl`;
 * `close` ends it and its pool.
 */
export async function startTestApi(
  jwksUrl: string,
  env: Record<string, string> = {},
  poolOptions: PoolOptions = {},
  appOptions: Partial<Omit<AppOptions, "config" | "pool">> = {},
): Promise<{ app: FastifyInstance; pool: pg.Pool; close: () => Promise<void> }> {
  const url = env.DATABASE_URL ?? databaseUrl();
  // As server.ts makes it: the routes use it one statement at a time.
  const pool = createPool(url, { max: 10, oneStatementPerLoan: true, ...poolOptions });
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: url,
    AUTH_JWKS_URL: jwksUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    API_RATE_LIMIT: "0",
    ...env,
  });
  const app = await buildApp({ logger: false, ...appOptions, config, pool });
  await app.ready();
  const close = async () => {
    await app.close();
    await pool.end();
  };
  return { app, pool, close };
}

/**
 * Builds an app over the test database (or `env.DATABASE_URL`) and a fresh
 * key; closed after the file's tests. Silent unless given a `logger`.
 */
export async function setup(
  env: Record<string, string> = {},
  poolOptions: PoolOptions = {},
  revocationPool?: pg.Pool,
  logger: AppOptions["logger"] = false,
  appOptions: Partial<Omit<AppOptions, "config" | "pool" | "revocationPool" | "logger">> = {},
): Promise<TestContext> {
  const key = await newSigningKey();
  const jwks = await JwksServer.start([key]);
  const { app, pool, close } = await startTestApi(jwks.url, env, poolOptions, {
    ...appOptions,
    revocationPool,
    logger,
  });
  after(async () => {
    await close();
    await jwks.close();
  });
  const db = drizzle(pool);
  return {
    app,
    pool,
    jwks,
    key,
    async newUser() {
      const id = randomUUID();
      const sessionId = randomUUID();
      await db.insert(users).values({ id, name: "Test User", email: `${id}@example.test` });
      await db.insert(sessions).values({
        id: sessionId,
        userId: id,
        token: randomUUID(),
        expiresAt: new Date(Date.now() + 24 * 3600_000),
      });
      const token = await mintToken({ key, claims: { sub: id, sid: sessionId, email: `${id}@example.test` } });
      return { id, sessionId, token, auth: { authorization: `Bearer ${token}` } };
    },
  };
}

/** Creates a task through the API and returns its JSON. */
export async function createTask(
  app: FastifyInstance,
  user: TestUser,
  body: Record<string, unknown> = { title: "A task" },
): Promise<Record<string, unknown> & { id: string }> {
  const response = await app.inject({
    method: "POST",
    url: `/api/${user.id}/tasks`,
    headers: user.auth,
    payload: body,
  });
  if (response.statusCode !== 201) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** The stored rows of a user's tasks, read straight from the database (not through the API). */
export async function storedTasks(pool: pg.Pool, userId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query("SELECT * FROM tasks WHERE user_id = $1 ORDER BY id", [userId]);
  return rows;
}

/**
 * Asks again every 100 ms until the answer has `status` (a recovery, say), and
 * returns that answer; fails, saying `what` did not happen, after `timeoutMs`.
 */
export async function untilStatus(
  ask: () => Promise<LightMyRequestResponse>,
  status: number,
  what: string,
  timeoutMs = 10_000,
): Promise<LightMyRequestResponse> {
  const started = Date.now();
  for (let answer = await ask(); ; answer = await ask()) {
    if (answer.statusCode === status) return answer;
    assert.ok(Date.now() - started < timeoutMs, `${what} (still ${answer.statusCode} after ${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Authorization header for a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An RFC 9457 problem document with this status; its body, for further checks. */
export function assertProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body?: string; json(): unknown },
  status: number,
): Record<string, unknown> {
  assert.equal(response.statusCode, status, `expected ${status}, got ${response.statusCode}: ${response.body}`);
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(typeof body.type, "string");
  assert.equal(typeof body.title, "string");
  assert.equal(typeof body.detail, "string");
  return body;
}

/**
 * Every task route, reads and writes, on this user's path (and this task),
 * with `query` appended: for checks that must hold on all of them. `namesTask`
 * tells the routes whose path names the task.
 */
export function taskRoutes(userId: string, taskId: string, query = "") {
  const base = `/api/${userId}/tasks`;
  const one = `${base}/${taskId}`;
  return [
    { method: "GET", url: `${base}${query}`, namesTask: false },
    { method: "POST", url: `${base}${query}`, payload: { title: "intruder" }, namesTask: false },
    { method: "GET", url: `${one}${query}`, namesTask: true },
    { method: "PUT", url: `${one}${query}`, payload: { title: "intruder", completed: true }, namesTask: true },
    { method: "PATCH", url: `${one}${query}`, payload: { title: "intruder" }, namesTask: true },
    { method: "PATCH", url: `${one}/complete${query}`, namesTask: true },
    { method: "DELETE", url: `${one}${query}`, namesTask: true },
  ] as const;
}

/** One statement a pool was asked to run: its SQL text and its parameters. */
export interface SentStatement {
  text: string;
  values: unknown[];
}

/** What the app asked of a pool while it was watched (`watchPool`). */
export interface PoolUse {
  /** Every statement, in order. */
  statements: SentStatement[];
  /** Connections checked out directly (for a transaction), not by `pool.query` for one statement. */
  checkouts: number;
}

/**
 * What `pool` is asked while `run` runs. The statements still run on the real
 * PostgreSQL; this only records them. (The API's every statement goes through
 * its pool's `query`, and a transaction through `connect`: packages/db/src/pool.ts.)
 */
export async function watchPool(pool: pg.Pool, run: () => Promise<unknown>): Promise<PoolUse> {
  const use: PoolUse = { statements: [], checkouts: 0 };
  const originalQuery = pool.query;
  const originalConnect = pool.connect;
  pool.query = function (this: typeof pool, ...args: unknown[]) {
    // Drizzle passes the statement (a string or { name, text }) and its parameters apart.
    const config = args[0] as string | { text: string; values?: unknown[] };
    const text = typeof config === "string" ? config : config.text;
    const values = (args[1] as unknown[] | undefined) ?? (typeof config === "string" ? [] : (config.values ?? []));
    use.statements.push({ text, values });
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pool.query;
  pool.connect = function (this: typeof pool, ...args: unknown[]) {
    // pool.query itself checks a client out with a callback; count only direct check-outs.
    if (typeof args[0] !== "function") use.checkouts++;
    return (originalConnect as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pool.connect;
  try {
    await run();
  } finally {
    pool.query = originalQuery;
    pool.connect = originalConnect;
  }
  return use;
}

/** Every statement `pool` is asked to run while `run` runs, in order (see `watchPool`). */
export async function captureQueries(pool: pg.Pool, run: () => Promise<unknown>): Promise<SentStatement[]> {
  return (await watchPool(pool, run)).statements;
}

/**
 * Runs `send` while every place for an INSERT of creates is taken, so that the creates it starts queue
 * and go to PostgreSQL as one batch (src/tasks/create-batches.ts): creates of a user of its own take
 * the places and wait on a lock held here on that user's counts row, which goes once `send`'s creates
 * have had `queueMs` to reach the queue.
 */
export async function sendCreatesTogether<T>(ctx: TestContext, send: () => Promise<T>, queueMs = 1000): Promise<T> {
  const inFlight = createBatchLimits(ctx.pool).inFlight;
  const blocker = await ctx.newUser();
  await createTask(ctx.app, blocker, { title: "the blocker's first" }); // its counts row exists from here
  const holder = new pg.Client({ connectionString: databaseUrl() });
  await holder.connect();
  try {
    await holder.query("BEGIN");
    await holder.query("SELECT 1 FROM task_counts WHERE user_id = $1 FOR UPDATE", [blocker.id]);
    const pid = await backendPid(holder);
    const blocked = Array.from({ length: inFlight }, () => createTask(ctx.app, blocker, { title: "held" }));
    const waiting = async () =>
      // The first waits on the holder; the others queue behind it for the row (so on the first).
      (
        await ctx.pool.query<{ n: number }>(
          `WITH RECURSIVE blocked(pid) AS (
             SELECT pid FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))
             UNION SELECT waiter.pid FROM pg_stat_activity waiter, blocked WHERE blocked.pid = ANY(pg_blocking_pids(waiter.pid)))
           SELECT count(*)::int AS n FROM blocked`,
          [pid],
        )
      ).rows[0]?.n;
    for (let started = Date.now(); (await waiting()) !== inFlight; ) {
      assert.ok(Date.now() - started < 10_000, `${inFlight} creates should be waiting on the lock`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sent = send();
    await new Promise((resolve) => setTimeout(resolve, queueMs));
    await holder.query("COMMIT");
    await Promise.all(blocked);
    return await sent;
  } finally {
    await holder.end();
  }
}

/** The INSERTs of tasks among `statements`, each with the user ids of its rows, in row order. */
export function taskInserts(statements: SentStatement[]): { text: string; users: unknown[] }[] {
  return statements
    .filter((statement) => statement.text.startsWith('insert into "tasks"'))
    .map((statement) => ({ text: statement.text, users: statement.values.filter((_, i) => i % 6 === 1) }));
}
