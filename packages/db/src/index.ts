export { migrateDatabase, migrationsFolder } from "./migrate";
export { createPool, databaseErrorCode, isDatabaseUnavailable, type PoolOptions } from "./pool";
export * from "./schema";
