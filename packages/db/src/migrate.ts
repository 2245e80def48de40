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
import { readMigrationFiles } from "drizzle-orm/migrator";
import type pg from "pg";
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
 * Applies the migrations to the database at `databaseUrl` on a connection of
 * their own, closed after: the API's start-up, `npm start` and `npm run
 * db:migrate` go through here. Its statements are allowed 15 minutes instead
 * of the API's 5 seconds: a migration may read or rewrite a whole table (0009
 * counts every task again), and a process that finds another one migrating
 * waits for the lock as long as that takes.
 */
export async function migrateDatabaseAt(
  databaseUrl: string,
  applicationName = "tasks-migrations",
): Promise<{ applied: number }> {
  const pool = createPool(databaseUrl, { max: 1, applicationName, statementTimeoutMillis: MIGRATION_TIMEOUT_MS });
  try {
    return await migrateDatabase(pool);
  } finally {
    await pool.end();
  }
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
