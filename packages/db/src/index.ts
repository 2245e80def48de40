export {
  ConnectionWaitTimeoutError,
  databaseErrorCode,
  isDatabaseUnavailable,
  loggableError,
  statementCannotHaveRun,
  violatedUniqueConstraint,
} from "./database-errors";
export { databaseUrlProblem } from "./database-url";
export { migrateDatabase, migrateDatabaseAt, migrationsFolder } from "./migrate";
export { createPool, type PoolOptions } from "./pool";
export * from "./schema";
