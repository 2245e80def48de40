/**
 * Which sign-in sessions have ended, held in memory and fed from PostgreSQL,
 * so that a token of a signed-out, revoked or deleted session is refused
 * within 2 seconds although it has not expired, and still without a
 * database lookup per request.
 *
 * A trigger on `sessions` records every deleted session in
 * `revoked_sessions` (migration 0003). While requests come, this feed reads
 * the rows it has not seen every half second, on a connection of its own (a
 * busy request pool cannot delay it). Which rows those are is told by
 * transaction ids, not times: a row carries its transaction's id (migration
 * 0015), and a read keeps its statement's snapshot, which says which
 * transactions had finished. The next read takes the rows of transactions
 * that were still under way then (the snapshot's `xip`) or have ids from
 * its `xmax` on (the newest of those under way, and all begun since): every
 * other row was committed, and so read, or rolled back. So a delete whose
 * transaction commits late, however late, is read once it has committed
 * (reading by time, a row stamped before the last read and committed after
 * it was never read), and a row is read once, although the rows of a
 * transaction that stays open are looked at by every read until it ends.
 *
 * Ids tell only of the server that gave them: a read that finds another
 * server, or the same one started again, reads every row. A restore to an
 * earlier point, or a crash that lost ids it then gives again, would
 * otherwise hide rows below the last read's xmax. On Neon every wake of a
 * suspended compute is such a start: the first read after it takes the
 * day's rows again (a few pages at most).
 *
 * A read takes at most PAGE_SIZE rows at a time, in transaction order, and
 * goes on until it has them all: a burst of sign-outs (or the day's worth a
 * new process starts with) is many short statements, never one that
 * outlasts the statement timeout and leaves every process stuck behind it.
 *
 * When reads fail, the feed cannot say a token is still good: once no read
 * that started in the last STALE_AFTER_MS has succeeded, `isCurrent()` is
 * false and the task routes answer 503 rather than 200. That bound keeps the
 * contract's 2 s: a session that ended before a read started is known once
 * that read is in, and a process that has no such read answers 503, never
 * 200. (It counts on this machine's monotonic clock: a step of the wall
 * clock must not make an old read look new.)
 *
 * The daily purge of old rows runs beside the reads, not in their loop: a
 * slow purge must not hold the reads back into 503s.
 *
 * With no request asking for IDLE_AFTER_MS (one with a good token, which
 * must know its session has not ended) and its reads not failing, the feed
 * stops reading, so that a database that suspends when no one uses it
 * (Neon's scale to zero) can; reading every half second it never would.
 * The next request wakes it and waits for that read (`canTell`): as ids,
 * not times, say what it has not read, a read after an hour asleep misses
 * nothing.
 */
import type { FastifyBaseLogger } from "fastify";
import type pg from "pg";
import { MAX_TOKEN_AGE_SECONDS } from "./verify-access-token";

const POLL_INTERVAL_MS = 500;
const STALE_AFTER_MS = 1_900;
/** Neon suspends a compute after 5 minutes without a statement, by default. */
const IDLE_AFTER_MS = 60_000;
/**
 * How long an ended session is remembered, here and in the table: longer
 * than any access token is taken (the verifier refuses one issued more than
 * MAX_TOKEN_AGE_SECONDS ago, and the web app refuses a JWT_EXPIRES_IN above
 * that); ten minutes more cover the 30 s of clock skew a token is allowed,
 * the 5 minutes a verified token stays cached and the clocks of the web app
 * and the database, so forgetting it can never let a token back in.
 */
const RETENTION_MS = MAX_TOKEN_AGE_SECONDS * 1000 + 10 * 60_000;
const PURGE_EVERY_MS = 10 * 60_000;
const PAGE_SIZE = 5_000;

/**
 * A page of the rows of transactions that had not finished at the last
 * read's snapshot, in (transaction, session) order, in two halves, each its
 * own ordered index scan (a read with nothing new costs a few index pages
 * however long the table):
 * - $1: the last snapshot's xip, the transactions then under way; their
 *   rows after the row ($2, $3), where the page before ended;
 * - $4, $5: where the rest resumes (`resumeAt`): that row, or the last
 *   snapshot's xmax if it is later;
 * - $6: the page's size;
 * - $7: all is read (no last snapshot). Unless it is, ids from this
 *   snapshot's xmax on are left for later: none of their transactions had
 *   finished, and a row copied in from another server (a restore) with ids
 *   beyond this one's would otherwise be read again every time.
 * One row always (the LEFT JOIN), carrying this statement's own snapshot
 * (`pg_current_snapshot()` is the one its scan reads with), the server's
 * start and the database's clock, worked out once (`s`), not for each row.
 */
const READ_SQL = `
  WITH s AS MATERIALIZED (
    SELECT snap, now() AS read_at, pg_postmaster_start_time()::text AS server_start,
      pg_snapshot_xmax(snap)::text AS xmax, ARRAY(SELECT pg_snapshot_xip(snap)::text) AS xip
    FROM pg_current_snapshot() AS snap
  )
  SELECT s.read_at, s.server_start, s.xmax, s.xip, r.session_id::text AS sid, r.revoked_at, r.revoked_xid::text AS xid
  FROM s
  LEFT JOIN LATERAL (
    (SELECT session_id, revoked_at, revoked_xid FROM revoked_sessions
     WHERE revoked_xid = ANY($1::xid8[]) AND (revoked_xid, session_id) > ($2::xid8, $3::uuid)
     ORDER BY revoked_xid, session_id LIMIT $6)
    UNION ALL
    (SELECT session_id, revoked_at, revoked_xid FROM revoked_sessions
     WHERE (revoked_xid, session_id) > ($4::xid8, $5::uuid) AND ($7 OR revoked_xid < pg_snapshot_xmax(snap))
     ORDER BY revoked_xid, session_id LIMIT $6)
    ORDER BY revoked_xid, session_id LIMIT $6
  ) AS r ON true`;

/**
 * What a read's snapshot says of the transactions then: every one below
 * `xmax` and not in `xip` had finished. Ids are those of the server started
 * at `serverStart`.
 */
interface Snapshot {
  serverStart: string;
  xmax: string;
  xip: string[];
}
/** A place in (transaction, session) order; `{ xid, sid: LOWEST_SID }` is just before the transaction's first row. */
interface RowKey {
  xid: string;
  sid: string;
}
const LOWEST_SID = "00000000-0000-0000-0000-000000000000";
const FIRST_ROW: RowKey = { xid: "0", sid: LOWEST_SID };

/** Where the rows of transactions begun after `last` resume: after `after`, or from its xmax if that is later. */
function resumeAt(after: RowKey, last: Snapshot | null): RowKey {
  return !last || BigInt(after.xid) >= BigInt(last.xmax) ? after : { xid: last.xmax, sid: LOWEST_SID };
}

/** What a read learnt besides the rows: its snapshot, and the database's clock. */
interface Read {
  snapshot: Snapshot;
  readAt: Date;
}

const PURGE_SQL = "DELETE FROM revoked_sessions WHERE revoked_at < now() - make_interval(secs => $1)";

/** A row of READ_SQL: the statement's snapshot and clock, and an ended session if there is one. */
interface ReadRow {
  read_at: Date;
  server_start: string;
  xmax: string;
  xip: string[];
  sid: string | null;
  revoked_at: Date | null;
  xid: string | null;
}

export class RevocationFeed {
  /** Ended session id → when it ended (ms since the epoch, database clock). */
  private readonly ended = new Map<string, number>();
  /** The last read's snapshot; null before the first. */
  private lastSnapshot: Snapshot | null = null;
  private lastSuccessAt = 0;
  private lastPurgeAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
  /** When a request last asked (`canTell`); the feed sleeps when that was IDLE_AFTER_MS ago. */
  private askedAt = performance.now();
  private asleep = false;
  private waking: Promise<void> | undefined;

  private readonly pageSize: number;
  private readonly idleAfterMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: FastifyBaseLogger,
    options: { pageSize?: number; idleAfterMs?: number } = {},
  ) {
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.idleAfterMs = options.idleAfterMs ?? IDLE_AFTER_MS;
  }

  /** The first read (awaited, so a healthy process starts knowing the past day), then one every half second. */
  async start(): Promise<void> {
    await this.readOnce();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** True when the last successful read is recent enough to trust a "not revoked". */
  isCurrent(now = performance.now()): boolean {
    return this.lastSuccessAt > 0 && now - this.lastSuccessAt <= STALE_AFTER_MS;
  }

  /** Asleep for want of requests: the next one wakes it, so the process can still serve (readiness). */
  isAsleep(): boolean {
    return this.asleep;
  }

  /**
   * For a request that needs a "not revoked" it can trust: whether it has one
   * now. A feed asleep is woken, and the request waits for its read.
   */
  async canTell(): Promise<boolean> {
    const askedAt = performance.now();
    this.askedAt = askedAt;
    if (this.isCurrent(askedAt)) return true;
    if (this.asleep && !this.stopped) await this.wake();
    // Judged as of the request's arrival: a read that began since (the wake's) will do, however long
    // the database took to wake (a Neon compute, a new connection) before it answered.
    return this.isCurrent(askedAt);
  }

  hasEnded(sessionId: string): boolean {
    return this.ended.has(sessionId);
  }

  /** The next read half a second after the last one began (at once if it took longer): a slow read does not add its time to the gap. */
  private schedule(lastStartedAt = performance.now()): void {
    if (this.stopped) return;
    const wait = Math.max(0, POLL_INTERVAL_MS - (performance.now() - lastStartedAt));
    this.timer = setTimeout(async () => {
      // Not while reads fail: asleep, the process would say it is ready (readiness) and let requests
      // in, to fail at their wake.
      if (!this.failing && performance.now() - this.askedAt > this.idleAfterMs) {
        this.asleep = true;
        return;
      }
      const startedAt = performance.now();
      await this.readOnce();
      this.schedule(startedAt);
    }, wait);
    // The feed alone must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  /** One read at once, for every request that finds the feed asleep, then the half-second reads again. */
  private wake(): Promise<void> {
    this.waking ??= (async () => {
      const startedAt = performance.now();
      await this.readOnce();
      this.asleep = false;
      this.schedule(startedAt);
    })().finally(() => {
      this.waking = undefined;
    });
    return this.waking;
  }

  private async readOnce(): Promise<void> {
    const startedAt = performance.now();
    try {
      let read = await this.readNewRows(this.lastSnapshot);
      const { serverStart, xmax } = read.snapshot;
      const last = this.lastSnapshot;
      if (last && (serverStart !== last.serverStart || BigInt(xmax) < BigInt(last.xmax))) {
        // Another server, or this one started again (woken, restored to an earlier point, or after a
        // crash that lost ids it gives again): its ids no longer tell what this feed has read. Said
        // as news, not as a warning: on Neon every wake of a suspended compute is a start.
        this.log.info(
          "revocation feed: the database server has started since the last read; reading every ended session",
        );
        read = await this.readNewRows(null);
      }
      this.lastSnapshot = read.snapshot;
      const readAt = read.readAt;
      if (this.failing) this.log.info("revocation feed reads the database again");
      this.failing = false;
      this.lastSuccessAt = startedAt;
      // A read this slow brings the process near its 503s (isCurrent): said, for whoever sees them.
      const took = performance.now() - startedAt;
      if (took > STALE_AFTER_MS / 2) this.log.warn({ ms: Math.round(took) }, "revocation feed: a read took long");
      if (this.lastPurgeAt === 0 || startedAt - this.lastPurgeAt >= PURGE_EVERY_MS) {
        this.lastPurgeAt = startedAt;
        this.purge(readAt).catch((error: unknown) =>
          this.log.warn({ err: error }, "revocation feed could not purge old rows (it tries again later)"),
        );
      }
    } catch (error) {
      if (!this.failing) this.log.warn({ err: error }, "revocation feed cannot read the database");
      this.failing = true;
    }
  }

  /**
   * Records the rows of transactions that had not finished at `last` (every row if null), page after
   * page; answers the first page's snapshot (what committed after it is read next time, whatever the
   * later pages saw) and the database's clock then.
   */
  private async readNewRows(last: Snapshot | null): Promise<Read> {
    let after = FIRST_ROW;
    let first: Read | undefined;
    for (;;) {
      const from = resumeAt(after, last);
      const { rows } = await this.pool.query<ReadRow>({
        name: "tasks_revocations_read_by_xid",
        text: READ_SQL,
        values: [last?.xip ?? [], after.xid, after.sid, from.xid, from.sid, this.pageSize, last === null],
      });
      const head = rows[0];
      if (!head) throw new Error("the revocation feed's read returned no row");
      first ??= { snapshot: { serverStart: head.server_start, xmax: head.xmax, xip: head.xip }, readAt: head.read_at };
      let lastRow: RowKey | undefined;
      for (const row of rows) {
        if (row.sid && row.revoked_at && row.xid) {
          this.ended.set(row.sid, row.revoked_at.getTime());
          lastRow = { xid: row.xid, sid: row.sid };
        }
      }
      if (rows.length < this.pageSize || !lastRow) return first;
      after = lastRow;
    }
  }

  /** Forgets what no token can need any more, in memory and in the table. */
  private async purge(now: Date): Promise<void> {
    const horizon = now.getTime() - RETENTION_MS;
    for (const [sid, at] of this.ended) if (at < horizon) this.ended.delete(sid);
    await this.pool.query(PURGE_SQL, [RETENTION_MS / 1000]);
  }
}
