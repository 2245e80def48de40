/**
 * What a database error means, read the same way by both apps: the 503
 * family (the database not reachable now), whether a failed statement can
 * have run, the SQLSTATE under a query builder's wrapper, and what of an
 * error may be logged (never the statement's values).
 */

/**
 * The error that came from the driver, under the wrappers a query builder
 * adds (Drizzle throws "Failed query: …" with the pg error as its `cause`).
 */
function driverError(error: unknown): Error | undefined {
  const chain = errorChain(error);
  return chain.find((link) => typeof (link as { code?: unknown }).code === "string") ?? chain.at(-1);
}

/** An error and the errors under it (`cause`), outermost first, at most five. */
export function errorChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; chain.length < 5 && current instanceof Error; current = current.cause) chain.push(current);
  return chain;
}

/** The fields of a driver's error that say what failed without quoting anyone's data. */
const LOGGABLE_FIELDS = ["code", "severity", "constraint", "table", "column", "dataType", "routine"] as const;

/**
 * An error as the log may keep it. A query builder's wrapper repeats the
 * statement's parameters (people's task text) in its message and its
 * `params`, and PostgreSQL's DETAIL can quote the row ("Failing row contains
 * …"): none of that goes to the log. What stays: the driver's error's name,
 * message, SQLSTATE, where it happened (constraint, table, column) and stack.
 * Any other error (the framework's, a network's) is returned as it is.
 */
export function loggableError(error: unknown): unknown {
  const chain = errorChain(error);
  const wrapsStatement = (link: Error) => "params" in link;
  // PostgreSQL's own errors carry a severity; Node's network errors and the framework's quote nothing.
  if (!chain.some((link) => wrapsStatement(link) || "severity" in link)) return error;
  const driver = driverError(error);
  if (!driver || wrapsStatement(driver)) {
    return { type: chain[0]?.name, message: "a statement failed (its text and parameters are not logged)" };
  }
  const kept: Record<string, unknown> = { type: driver.name, message: driver.message, stack: driver.stack };
  for (const field of LOGGABLE_FIELDS) {
    const value = (driver as unknown as Record<string, unknown>)[field];
    if (value !== undefined) kept[field] = value;
  }
  return kept;
}

/** The unique constraint (its name) that a statement behind `error` would have broken, if that is why it failed. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const driver = driverError(error) as { code?: unknown; constraint?: unknown } | undefined;
  return driver?.code === "23505" && typeof driver.constraint === "string" ? driver.constraint : undefined;
}

/** PostgreSQL's SQLSTATE (or Node's network error code) behind an error, if any. */
export function databaseErrorCode(error: unknown): string | undefined {
  const code = (driverError(error) as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Why a statement failed, when the database rather than the request is at
 * fault (each a 503 at the API):
 * - "rolled-back": PostgreSQL ran the statement and undid it (a statement
 *   timeout, a deadlock, a serialization failure, a read-only standby, a
 *   full disk); try again.
 * - "not-connected": no connection was made for it, so it never ran.
 * - "connection-lost": the connection went while the statement was out, so
 *   a write may have been committed although its answer never came.
 */
type DatabaseFailure = "rolled-back" | "not-connected" | "connection-lost";

/**
 * SQLSTATEs and Node's network error codes. Not listed here: codes starting 08 or 57P are
 * "connection-lost"; 40, 53, 58, XX and 25006 "rolled-back" (classifyDatabaseFailure).
 */
const FAILURE_BY_CODE: Record<string, DatabaseFailure> = {
  "57014": "rolled-back", // query_canceled: the statement timeout
  "40P01": "rolled-back", // deadlock_detected
  "40001": "rolled-back", // serialization_failure
  "40003": "connection-lost", // statement_completion_unknown: it may have been committed
  "57P03": "not-connected", // cannot_connect_now: starting up or shutting down
  "53300": "not-connected", // too_many_connections
  // Refused at connect time, so nothing ran: the role's password rotated (as Neon's "Reset password"
  // does) or no longer allowed, the database dropped or renamed. The clients' requests were fine.
  "28P01": "not-connected", // invalid_password
  "28000": "not-connected", // invalid_authorization_specification (no such role, no pg_hba rule)
  "3D000": "not-connected", // invalid_catalog_name: no such database
  // TLS at connect time: the server's certificate expired, changed or is not trusted.
  CERT_HAS_EXPIRED: "not-connected",
  DEPTH_ZERO_SELF_SIGNED_CERT: "not-connected",
  SELF_SIGNED_CERT_IN_CHAIN: "not-connected",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "not-connected",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "not-connected",
  ERR_TLS_CERT_ALTNAME_INVALID: "not-connected",
  ECONNREFUSED: "not-connected",
  ENOTFOUND: "not-connected",
  EAI_AGAIN: "not-connected",
  ECONNRESET: "connection-lost",
  ETIMEDOUT: "connection-lost",
  EPIPE: "connection-lost",
  // The network went away: at connect time nothing ran, but mid-statement a write may have been committed.
  EHOSTUNREACH: "connection-lost",
  ENETUNREACH: "connection-lost",
  ENETDOWN: "connection-lost",
  EHOSTDOWN: "connection-lost",
};

/**
 * A statement that waited in a queue in front of the pool (the Task API's
 * batches of creates) as long as the pool lets a request wait for a
 * connection: it never ran, as with pg-pool's own timeout.
 */
export class ConnectionWaitTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(`no connection for this statement within ${waitedMs} ms`);
    this.name = "ConnectionWaitTimeoutError";
  }
}

/** pg-pool's own words for no connection within connectionTimeoutMillis (the cause under them varies). */
const NO_CONNECTION_MESSAGE =
  /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/;
/** pg's words for a connection that failed or went away, on errors that carry no code. */
const CONNECTION_FAILED_MESSAGE =
  /timeout|Connection terminated|connection ended|not queryable|Client has encountered a connection error/i;
/**
 * pg's words for a connection refused before anything ran, on errors that carry no code; and
 * pg-pool's for a statement asked of a pool already ended (a request still running when a shutdown
 * cut its connection, and the pool was ended after it).
 */
const NOT_CONNECTED_MESSAGE = /does not support SSL connections|^Cannot use a pool after calling end on the pool$/i;

/** No connection was made within the pool's wait (pg-pool's own words, or ours in front of it). */
export function noConnectionInTime(failure: unknown): boolean {
  return errorChain(failure).some(
    (link) => link instanceof ConnectionWaitTimeoutError || NO_CONNECTION_MESSAGE.test(link.message),
  );
}

function classifyDatabaseFailure(failure: unknown): DatabaseFailure | undefined {
  const error = driverError(failure);
  if (!error) return undefined;
  // First: no connection in time. (pg-pool may wrap a network error, whose code alone would say
  // "lost", in these words.)
  if (noConnectionInTime(failure)) return "not-connected";
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    const byCode = FAILURE_BY_CODE[code];
    if (byCode) return byCode;
    // 08: connection exception; 57P: admin or crash shutdown, database dropped, idle session timeout
    if (code.startsWith("08") || code.startsWith("57P")) return "connection-lost";
    // The database refused the statement for its own state, not the request's, and undid it:
    // 40 transaction rollback; 53 insufficient resources (disk full, out of memory, a configured
    // limit); 58 system error (I/O); XX internal error; 25006 read-only (a standby, as after a failover).
    if (/^(40|53|58|XX)/.test(code) || code === "25006") return "rolled-back";
  }
  if (NOT_CONNECTED_MESSAGE.test(error.message)) return "not-connected";
  return CONNECTION_FAILED_MESSAGE.test(error.message) ? "connection-lost" : undefined;
}

/** True for errors that mean "the database is not reachable right now" (the 503 family). */
export function isDatabaseUnavailable(failure: unknown): boolean {
  return classifyDatabaseFailure(failure) !== undefined;
}

/**
 * For an error that isDatabaseUnavailable accepts: true when its statement
 * cannot have changed anything, because no connection was made for it, or
 * PostgreSQL rolled it back. Otherwise the connection was lost while the
 * statement was out, and a write on it may have been committed although its
 * answer never came.
 */
export function statementCannotHaveRun(failure: unknown): boolean {
  const failed = classifyDatabaseFailure(failure);
  return failed === "rolled-back" || failed === "not-connected";
}
