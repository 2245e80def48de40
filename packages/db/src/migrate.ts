/**
 * Applies the committed migrations. Every process calls this at start-up; a
 * PostgreSQL advisory lock makes N processes starting at once apply each
 * migration exactly once (the others wait, then find nothing left to do).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
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
  const pool = createPool(databaseUrl, { max: 1, applicationName, statementTimeoutMillis: 15 * 60_000 });
  try {
    return await migrateDatabase(pool);
  } finally {
    await pool.end();
  }
}

/** An arbitrary constant shared by every process of this product: "tasks" in ASCII. */
const MIGRATION_LOCK_KEY = 0x7461736b73;

export async function migrateDatabase(pool: pg.Pool): Promise<{ applied: number }> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      const before = await countAppliedMigrations(client);
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
      const after = await countAppliedMigrations(client);
      return { applied: after - before };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function countAppliedMigrations(client: pg.PoolClient): Promise<number> {
  const exists = await client.query("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS ok");
  if (!exists.rows[0]?.ok) return 0;
  const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
  return rows[0]?.n ?? 0;
}
