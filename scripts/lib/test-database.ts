/**
 * A new, empty database in the test run's PostgreSQL (`DATABASE_URL`), for a
 * test that changes what the others share (the signing keys, the tasks
 * table) or needs a database of its own (migrations from nothing). `npm test`
 * starts a fresh cluster for each run and removes it after, so these are
 * not dropped one by one.
 */
import { createPool } from "@tasks/db";

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
