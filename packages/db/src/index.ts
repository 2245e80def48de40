export { migrateDatabase, migrationsFolder } from "./migrate";
export { createPool, isDatabaseUnavailable, type PoolOptions } from "./pool";
export * from "./schema";
