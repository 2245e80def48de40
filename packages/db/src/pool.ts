/**
 * The one place that opens database connections. Both apps call
 * `createPool(DATABASE_URL)`; TLS follows the URL (`sslmode=verify-full`
 * turns it on and checks the server's certificate and name; docs/deploying.md,
 * the TLS item). What its errors mean: database-errors.ts.
 */
import { createHash } from "node:crypto";
import pg from "pg";

const DATE_OID = 1082;

// A `date` column is a calendar day, not an instant: keep it as the
// 'YYYY-MM-DD' string PostgreSQL sends instead of a local-midnight Date.
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PoolOptions {
  /** Most connections this process opens. */
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell the processes apart. */
  applicationName?: string;
  /** How long a request may wait for a connection before it is refused (ms). */
  connectionTimeoutMillis?: number;
  /** Server-side limit for one statement (ms): nothing hangs on a stuck database. */
  statementTimeoutMillis?: number;
  /**
   * The pool is used through `pool.query` alone, so a connection is lent for
   * one statement at a time (the Task API's pools). A connection lent for a
   * second longer than the statement timeout is then taken for lost (a
   * database or network that went silent without closing it) and closed, and
   * its statement fails at once. Other pools hold a connection for a
   * transaction or a migration; pg's per-statement `query_timeout` watches them.
   */
  oneStatementPerLoan?: boolean;
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMillis ?? 5_000;
  // Longer than this without an answer, a statement's connection is taken for lost.
  const answerWithin = statementTimeout + 1_000;
  const pool = new PoolerTolerantPool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "tasks",
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 3_000,
    // Sent when the connection starts; a pooler that refuses it is remembered (PoolerTolerantPool).
    statement_timeout: refusesStatementTimeout.has(databaseUrl) ? undefined : statementTimeout,
    // The API's pools watch their loans instead (closeSilentLoans says why).
    query_timeout: options.oneStatementPerLoan ? undefined : answerWithin,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types: typeParsers,
  });
  // An idle connection dies when the database restarts; without a listener
  // that error would crash the process instead of the pool just replacing it.
  pool.on("error", () => {});
  sendNamedStatementsThroughAnyPooler(pool, databaseUrl);
  if (options.oneStatementPerLoan) closeSilentLoans(pool, answerWithin);
  return pool;
}

/** The connection strings (of this process) whose server refused `statement_timeout` at connection start. */
const refusesStatementTimeout = new Set<string>();

/** The connection strings (of this process) behind a pooler that loses named statements (see sendNamedStatementsThroughAnyPooler). */
const losesNamedStatements = new Set<string>();

/**
 * A pool that connects without `statement_timeout` where the server refuses
 * it. PgBouncer, and so Neon's pooled (`-pooler`) host, refuses any start-up
 * parameter it does not know ("unsupported startup parameter:
 * statement_timeout") and closes the connection: nothing could connect. Such
 * a refusal is taken once, remembered for the connection string, and the
 * connection made again without it; so are this process's later pools for
 * that string. Statements then have no time limit on the server (unless the
 * database's role sets one); the clients still stop waiting: the API's pools
 * after the limit and a second (closeSilentLoans), the others by pg's
 * `query_timeout`. A `SET` instead would not do: behind a pooler in
 * transaction mode it stays on whichever server connection ran it.
 */
class PoolerTolerantPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    if (!callback) {
      return new Promise((resolve, reject) =>
        this.connect((error, client) => (error || !client ? reject(error) : resolve(client))),
      );
    }
    // pool.query() asks with a callback, once a statement: no promise added on that path.
    // Once a call: connections that set out together all carried it and are all refused, although
    // the first refusal has taken it out of the options by the time the others come back.
    super.connect((error, client, done) => {
      if (error && isRefusedStatementTimeout(error)) {
        this.takeRefusal();
        return super.connect(callback);
      }
      callback(error, client, done);
    });
    return undefined;
  }

  /** The server refused statement_timeout: it is not sent again, by this pool or a later one for the URL. */
  private takeRefusal(): void {
    const url = this.options.connectionString ?? "";
    if (!refusesStatementTimeout.has(url)) {
      refusesStatementTimeout.add(url);
      console.warn(
        "[db] the database refused statement_timeout at connection start (a pooler such as PgBouncer or " +
          "Neon's -pooler host): connecting without it. Statements have no time limit on the server; " +
          "clients still stop waiting for them.",
      );
    }
    this.options.statement_timeout = undefined;
  }
}

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/**
 * A statement sent with a name (the Task API names its statements, so PostgreSQL parses each once a
 * connection) is kept by PostgreSQL for a direct connection or a pooler that carries them (PgBouncer
 * 1.21+ with `max_prepared_statements` above 0, as from 1.24 by default; Neon's). A pooler in
 * transaction mode that does not (PgBouncer before 1.21, or with it 0) lends another server
 * connection for each statement: the name prepared on one is missing on the next ("prepared
 * statement … does not exist") or there already ("… already exists"). Either refusal comes before
 * the statement runs, so `pool.query` then sends it again without a name, and so every later one
 * for that connection string until the process restarts (pg-pool closes the connection that met
 * the refusal, as after any error). The name sent is made the text's own (`nameOfText`): two
 * versions of the API behind one pooler, mid-deploy, never take each other's statement for theirs.
 */
function sendNamedStatementsThroughAnyPooler(pool: pg.Pool, url: string): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  pool.query = ((...args: unknown[]) => {
    const [config, values, callback] = args;
    const named = namedStatement(config);
    // Callers that pass a callback, or send text alone, go as they came.
    if (!named || typeof values === "function" || callback !== undefined) return query(...args);
    if (losesNamedStatements.has(url)) return query(withoutName(named), values);
    return query(withTextName(named), values).catch((error: unknown) => {
      if (!isLostNamedStatement(error)) throw error;
      if (!losesNamedStatements.has(url)) {
        losesNamedStatements.add(url);
        console.warn(
          "[db] a pooler between here and the database lost a named (prepared) statement: sending statements " +
            "without names from now on. (PgBouncer 1.21+ with max_prepared_statements carries them, and is faster.)",
        );
      }
      return query(withoutName(named), values);
    });
  }) as typeof pool.query;
}

/** A query config with a name and text (a named statement), or null. */
function namedStatement(config: unknown): (pg.QueryConfig & { name: string }) | null {
  if (typeof config !== "object" || config === null) return null;
  // (A Query, cursor or stream object carries its own `submit`: it goes as it came, a copy would lose it.)
  if (typeof (config as { submit?: unknown }).submit === "function") return null;
  const { name, text } = config as pg.QueryConfig;
  return typeof name === "string" && name !== "" && typeof text === "string"
    ? (config as pg.QueryConfig & { name: string })
    : null;
}

/**
 * The configs sent for a caller's config, made once: Drizzle sends the same config object for every
 * run of a prepared statement, so a request allocates none.
 */
const textNamed = new WeakMap<object, pg.QueryConfig>();
const unnamed = new WeakMap<object, pg.QueryConfig>();

function withTextName(config: pg.QueryConfig & { name: string }): pg.QueryConfig {
  return madeOnce(textNamed, config, () => ({ ...config, name: nameOfText(config.name, config.text) }));
}

function withoutName(config: pg.QueryConfig): pg.QueryConfig {
  return madeOnce(unnamed, config, () => ({ ...config, name: undefined }));
}

/** `make()`, kept for `config`; made anew each time for a config that carries its values (they may change). */
function madeOnce(made: WeakMap<object, pg.QueryConfig>, config: pg.QueryConfig, make: () => pg.QueryConfig) {
  if (config.values !== undefined) return make();
  const known = made.get(config);
  if (known) return known;
  const sent = make();
  made.set(config, sent);
  return sent;
}

/** Each statement name with its text's name, made once a name. */
const textNames = new Map<string, { text: string; name: string }>();

/**
 * `name` with a digest of `text` after it: two statements of one name but different texts (two
 * versions of the API at once) never share a name where a pooler mixes their server connections.
 */
function nameOfText(name: string, text: string): string {
  const known = textNames.get(name);
  if (known?.text === text) return known.name;
  // PostgreSQL keeps 63 bytes of a name: the digest must fit in them whatever the name's length.
  const named = `${name.slice(0, 48)}#${createHash("sha256").update(`${name}\n${text}`).digest("base64url").slice(0, 12)}`;
  textNames.set(name, { text, name: named });
  return named;
}

/** PostgreSQL's answer when a named statement is missing (26000) or there already (42P05). */
function isLostNamedStatement(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "26000" || code === "42P05";
}

function isRefusedStatementTimeout(error: unknown): boolean {
  return error instanceof Error && /unsupported startup parameter.*statement_timeout/i.test(error.message);
}

/** How often lent connections are looked at: a lost one is closed at most this much late. */
const LOAN_CHECK_MS = 250;

/**
 * Closes a connection lent for longer than `limitMs`; its statement then fails
 * with "Connection terminated" (a 503 at the API) and the pool opens a new
 * one. It costs a statement no timer and no closure: a loan is noted with the
 * count of checks so far, which one interval timer advances and compares.
 *
 * Why not pg's own `query_timeout` (a timer per statement): with it, V8's
 * allocation-site pretenuring moved objects of a request's statement
 * straight into the old generation, where they kept its result alive at
 * every young-generation collection; the API promoted 1.8 MB a collection
 * at 50 connections (0.02 MB without it), its peak RSS went from about 120
 * to 200 MB and each request cost more CPU (docs/performance.md, "Where the
 * API's memory went").
 */
function closeSilentLoans(pool: pg.Pool, limitMs: number): void {
  /** Each lent connection, and the check count when it was lent. */
  const lent = new Map<pg.PoolClient, number>();
  let checks = 0;
  pool.on("acquire", (client) => lent.set(client, checks));
  pool.on("release", (_error, client) => lent.delete(client));
  const limitChecks = Math.ceil(limitMs / LOAN_CHECK_MS);
  const watch = setInterval(() => {
    // Also while the pool ends: pool.end() waits for every lent connection, one the database no
    // longer answers included (a shutdown during a network partition would never finish).
    if (pool.ending && lent.size === 0) return clearInterval(watch);
    checks++;
    for (const [client, lentAt] of lent) {
      if (checks - lentAt > limitChecks) {
        lent.delete(client);
        client.connection.stream.destroy();
      }
    }
  }, LOAN_CHECK_MS);
  watch.unref();
}
