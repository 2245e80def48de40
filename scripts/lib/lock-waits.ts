/**
 * For tests that hold a row or a table in an open transaction and need a request of the product to
 * be waiting on it before they go on. One PostgreSQL serves every test file that runs at once, so
 * only the holder's own waiters count (pg_blocking_pids), never any statement waiting on a lock.
 */
import assert from "node:assert/strict";
import type pg from "pg";

interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The server process behind `connection`: the one whose locks other statements wait on. */
export async function backendPid(connection: Queryable): Promise<number> {
  const { rows } = await connection.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return rows[0]?.pid ?? 0;
}

/**
 * Waits until a statement waits on a lock of the backend `holder` (one whose text matches
 * `matching`, if given), asking every 20 ms through `observer`: a connection outside the holder's
 * transaction, since inside a transaction pg_stat_activity stays as it was at its first read there
 * (a new connection's statement would never show). Fails with `what` after `timeoutMs`.
 */
export async function waitUntilBlockedBy(
  observer: Queryable,
  holder: number,
  what: string,
  { matching, timeoutMs = 10_000 }: { matching?: RegExp; timeoutMs?: number } = {},
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const { rows } = await observer.query<{ query: string }>(
      "SELECT query FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))",
      [holder],
    );
    if (rows.some((row) => !matching || matching.test(row.query.trim()))) return;
    assert.ok(Date.now() < deadline, what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
