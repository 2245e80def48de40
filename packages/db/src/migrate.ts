/**
 * Applies the committed migrations. Every process calls this at start-up; N
 * processes starting at once apply each migration exactly once: the first
 * takes a PostgreSQL advisory lock, the others wait for it, then find nothing
 * left to do.
 *
 * The lock, the read of what is applied and the migrations are one
 * transaction on one connection. That also holds through a pooler that lends
 * a server connection per transaction (Neon's `-pooler` host, PgBouncer in
 * transaction mode): a session's lock (pg_advisory_lock) taken there lands on
 * whichever server connection the pooler picks, its unlock on another one,
 * and two processes could both apply 0001.
 *
 * The bookkeeping is Drizzle's own (`drizzle.__drizzle_migrations`, its
 * reading of the migration files): a database that Drizzle's migrator set up
 * goes on from where it stopped, and `drizzle-kit` still reads it.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type pg from "pg";
import { errorChain, noConnectionInTime } from "./database-errors";
import { createPool } from "./pool";

/**
 * Found through the package itself, so it is the same folder whether this
 * file runs from source (tsx) or bundled into an app (apps/api/dist). A
 * function, so that merely importing the package (the web app's bundler
 * does) resolves nothing.
 */
export function migrationsFolder(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve("@tasks/db/package.json")), "migrations");
}

/** How long the migrations may take, the wait for another process's included. */
const MIGRATION_TIMEOUT_MS = 15 * 60_000;

/**
 * How long a migration's statement waits for a table another transaction holds before the run
 * backs off (rolls back, pauses, tries again: migrateWhenTablesAreFree). Waiting in the table's
 * lock queue, it would hold up every statement asking for that table after it (a request's write,
 * a sign-in's) for as long as the transaction before it lasted: an outage, in a deployment.
 */
const MIGRATION_LOCK_WAIT_MS = 2_000;

/** How long start-up waits for a database that does not answer yet. */
export const DATABASE_WAKE_MS = 30_000;

export interface StartUpWait {
  /** Said once, when the first attempt finds the database not answering yet. */
  onWait?: (message: string) => void;
  /** Aborted: stop waiting (the launcher stopped during start-up). */
  signal?: AbortSignal;
}

/**
 * Applies the migrations to the database at `databaseUrl` on a connection of
 * their own, closed after: the API's start-up, `npm start` and `npm run
 * db:migrate` go through here. Its statements are allowed 15 minutes instead
 * of the API's 5 seconds: a migration may read or rewrite a whole table (0009
 * counts every task again), and a process that finds another one migrating
 * waits for the lock as long as that takes. A database that does not answer
 * yet is waited for (see waitUntilReachable).
 */
export async function migrateDatabaseAt(
  databaseUrl: string,
  applicationName = "tasks-migrations",
  wait: StartUpWait = {},
): Promise<{ applied: number }> {
  const pool = createPool(databaseUrl, { max: 1, applicationName, statementTimeoutMillis: MIGRATION_TIMEOUT_MS });
  try {
    await waitUntilReachable(pool, databaseUrl, wait);
    return await migrateWhenTablesAreFree(pool, wait);
  } finally {
    await pool.end();
  }
}

/**
 * Errors that say the database is not there yet, as opposed to refusing us
 * (a wrong password, no such database: those fail at once). A serverless
 * compute waking from suspension (Neon's answers in a few seconds), or a
 * database container that starts beside the app, answers like this for a while
 * (a container's name is not even known to DNS until it starts: ENOTFOUND).
 * A database (or a pooler in front of it) that takes the connection but does
 * not answer within the pool's connection timeout is one too (pg-pool's words,
 * with the driver's error as the cause: noConnectionInTime).
 */
function notReachableYet(error: unknown): boolean {
  const notYet = [
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ENOTFOUND",
    "EAI_AGAIN",
    "57P03",
  ];
  return (
    noConnectionInTime(error) ||
    errorChain(error).some(
      ({ code, message }: Error & { code?: string }) =>
        (code !== undefined && notYet.includes(code)) || /Connection terminated unexpectedly/i.test(message),
    )
  );
}

/** Where the database is, for a message: host:port, or the socket's folder (`postgres://user@/db?host=/run/postgresql`). */
function databaseAddress(databaseUrl: string): string {
  const socketFolder = /[?&]host=(\/[^&]*)/.exec(databaseUrl)?.[1];
  if (socketFolder) return decodeURIComponent(socketFolder);
  try {
    const { hostname, port } = new URL(databaseUrl);
    return `${hostname}:${port || 5432}`;
  } catch {
    return "DATABASE_URL";
  }
}

/**
 * Connects once, trying again for up to DATABASE_WAKE_MS while the database
 * is not reachable yet (a quarter of a second between tries at first, two
 * seconds at most), so that N processes started with their database do not
 * exit one by one and wait on their supervisor's back-off.
 */
async function waitUntilReachable(pool: pg.Pool, databaseUrl: string, wait: StartUpWait): Promise<void> {
  await tryAgainWhile(async () => (await pool.connect()).release(), {
    retryable: notReachableYet,
    pauses: { first: 250, most: 2_000, total: DATABASE_WAKE_MS },
    saidOnce: (error) =>
      `the database at ${databaseAddress(databaseUrl)} does not answer yet (${(error as { code?: string }).code ?? (error as Error).message}); waiting up to ${DATABASE_WAKE_MS / 1000} s`,
    wait,
  });
}

/**
 * `attempt`, tried again while it fails as `retryable` says, with a pause between tries that
 * doubles from `first` to `most`, for up to `total` ms; the wait is said once (`saidOnce`).
 */
async function tryAgainWhile<T>(
  attempt: () => Promise<T>,
  {
    retryable,
    pauses,
    saidOnce,
    wait: { onWait, signal },
  }: {
    retryable: (error: unknown) => boolean;
    pauses: { first: number; most: number; total: number };
    saidOnce: (error: unknown) => string;
    wait: StartUpWait;
  },
): Promise<T> {
  const deadline = Date.now() + pauses.total;
  for (let pause = pauses.first, said = false; ; pause = Math.min(pause * 2, pauses.most)) {
    signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || Date.now() + pause > deadline) throw error;
      if (!said) onWait?.(saidOnce(error));
      said = true;
      await sleep(pause, undefined, { signal });
    }
  }
}

/**
 * migrateDatabase, run again while a migration finds a table held by another transaction for
 * longer than MIGRATION_LOCK_WAIT_MS (55P03), with a pause between runs (one second at first, ten at
 * most), for up to MIGRATION_TIMEOUT_MS; the wait is said once.
 */
async function migrateWhenTablesAreFree(pool: pg.Pool, wait: StartUpWait): Promise<{ applied: number }> {
  return tryAgainWhile(() => migrateDatabase(pool), {
    retryable: (error) => (error as { code?: string }).code === "55P03",
    pauses: { first: 1_000, most: 10_000, total: MIGRATION_TIMEOUT_MS },
    saidOnce: (error) =>
      `a migration waits for a table that another transaction holds (${(error as Error).message}); ` +
      `trying again every few seconds, for up to ${MIGRATION_TIMEOUT_MS / 60_000} minutes, without holding up others meanwhile`,
    wait,
  });
}

/** An arbitrary constant shared by every process of this product: "tasks" in ASCII. */
const MIGRATION_LOCK_KEY = 0x7461736b73;

const MIGRATIONS_TABLE = '"drizzle"."__drizzle_migrations"';

export async function migrateDatabase(pool: pg.Pool): Promise<{ applied: number }> {
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query("BEGIN");
    // SET LOCAL: for this transaction, also where a pooler gives each transaction another session.
    await client.query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    // Held until COMMIT or ROLLBACK, or until the connection closes (a process that dies mid-way).
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    // After that lock, which waits for another process's migrations as long as they take.
    await client.query(`SET LOCAL lock_timeout = ${MIGRATION_LOCK_WAIT_MS}`);
    await client.query('CREATE SCHEMA IF NOT EXISTS "drizzle"');
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    );
    // As Drizzle's migrator decides: a migration is applied when it is newer than the last one applied.
    const { rows } = await client.query<{ created_at: string }>(
      `SELECT created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at DESC LIMIT 1`,
    );
    const last = rows[0] ? Number(rows[0].created_at) : undefined;
    let applied = 0;
    for (const migration of migrations) {
      if (last !== undefined && migration.folderMillis <= last) continue;
      for (const statement of migration.sql) await client.query(statement);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES ($1, $2)`, [
        migration.hash,
        migration.folderMillis,
      ]);
      applied++;
    }
    await client.query("COMMIT");
    return { applied };
  } catch (error) {
    failed = true;
    // Nothing of a failed run stays. If even the ROLLBACK fails, the connection is closed (release(true)).
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release(failed);
  }
}
