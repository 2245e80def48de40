/**
 * The web app's connections to PostgreSQL (Better Auth's, the account page's
 * and the account-security modules'): one pool per process, and across dev
 * hot reloads.
 */
import "server-only";
import { createPool } from "@tasks/db";
import { webConfig } from "./config";

const globalForDatabase = globalThis as unknown as { tasksPool?: ReturnType<typeof createPool> };

export function webDatabasePool(): ReturnType<typeof createPool> {
  globalForDatabase.tasksPool ??= createPool(webConfig().databaseUrl, { max: 5, applicationName: "tasks-web" });
  return globalForDatabase.tasksPool;
}
