export { databaseUrlProblem } from "./database-url";
export { migrateDatabase, migrateDatabaseAt, migrationsFolder } from "./migrate";
export {
  ConnectionWaitTimeoutError,
  createPool,
  databaseErrorCode,
  isDatabaseUnavailable,
  loggableError,
  type PoolOptions,
  statementCannotHaveRun,
  violatedUniqueConstraint,
} from "./pool";
export * from "./schema";
