/** Databases for the tests: one of a test's own, and a tasks table as full as a real one. */
import assert from "node:assert/strict";
import { createPool, migrationsFolder } from "@tasks/db";
import { readMigrationFiles } from "drizzle-orm/migrator";

/**
 * A new, empty database in the test run's PostgreSQL (`DATABASE_URL`), for a
 * test that changes what the others share (the signing keys, the tasks
 * table) or needs a database of its own (migrations from nothing, a table
 * filled once). `npm test` starts a fresh cluster for each run and removes
 * it after, so these are not dropped one by one.
 */

/** The database at `url` answers a query. */
export async function assertAnswers(url: string): Promise<void> {
  const pool = createPool(url, { max: 1 });
  try {
    assert.equal((await pool.query<{ answer: number }>("SELECT 6 * 7 AS answer")).rows[0]?.answer, 42);
  } finally {
    await pool.end();
  }
}

/** How many migrations the repository has, read as the migrations are (packages/db/src/migrate.ts). */
export function committedMigrations(): number {
  return readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;
}

export async function createTestDatabase(name: string): Promise<string> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run the tests with `npm test`");
  const pool = createPool(databaseUrl, { max: 1 });
  const database = `${name}_${process.pid}`;
  try {
    await pool.query(`DROP DATABASE IF EXISTS ${database}`);
    await pool.query(`CREATE DATABASE ${database}`);
  } finally {
    await pool.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The id of person `n` (1 to 200) of `fillWithManyTasks`, in SQL: 00000000-0000-4000-8000-0000000000c8 for 200. */
const manyTasksPerson = (n: string) => `('00000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

interface Queryable {
  query(statement: string, values?: unknown[]): Promise<unknown>;
}

/**
 * Adds 200 people with 100 tasks each (20 000: one in three completed, a
 * second apart) and analyzes the table, for the tests that read query plans:
 * PostgreSQL plans for a table this size as it would for a real one, not as
 * for the few rows the other tests leave.
 */
export async function fillWithManyTasks(db: Queryable): Promise<void> {
  await db.query(`
    INSERT INTO users (id, name, email)
    SELECT ${manyTasksPerson("n")}, 'u', 'many-tasks-' || n || '@example.test'
    FROM generate_series(1, 200) AS n`);
  await insertNumberedTasks(db, 20_000);
  await db.query("ANALYZE tasks");
}

/**
 * `count` tasks titled "task number 1" on, one in three completed, each a
 * second older than the one before, of every priority, two in seven without
 * a due date and the others due within 90 days: all of `userId`'s, or
 * without one, spread over the 200 people of `fillWithManyTasks` (each of
 * whom gets some of every kind).
 */
export async function insertNumberedTasks(db: Queryable, count: number, userId: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO tasks (id, user_id, title, description, completed, priority, due_date, created_at)
     SELECT gen_random_uuid(), coalesce($1::uuid, ${manyTasksPerson("1 + n % 200")}),
            'task number ' || n, md5(n::text), n % 3 = 0,
            (ARRAY['low', 'medium', 'high'])[n / 3 % 3 + 1]::task_priority,
            CASE WHEN n % 7 < 2 THEN NULL ELSE date '2026-01-01' + n % 90 END,
            now() - n * interval '1 second'
     FROM generate_series(1, $2::int) AS n`,
    [userId, count],
  );
}
