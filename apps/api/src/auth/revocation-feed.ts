/**
 * Which sign-in sessions have ended, held in memory and fed from PostgreSQL,
 * so that a token of a signed-out, revoked or deleted session is refused
 * within about a second although it has not expired, and still without a
 * database lookup per request.
 *
 * A trigger on `sessions` records every deleted session in
 * `revoked_sessions` (migration 0003). This feed reads the rows newer than
 * its last read every half second, on a connection of its own (a busy
 * request pool cannot delay it). Each read looks back OVERLAP_MS before the
 * previous one: a row whose transaction committed late (its time is the
 * moment of the delete) is still seen, and seeing a row twice changes nothing.
 *
 * A read takes at most PAGE_SIZE rows at a time, oldest first, and goes on
 * until it has them all: a burst of sign-outs (or the day's worth a new
 * process starts with) is many short statements, never one that outlasts the
 * statement timeout and leaves every process stuck behind it.
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
 */
import type { FastifyBaseLogger } from "fastify";
import type pg from "pg";

const POLL_INTERVAL_MS = 500;
const STALE_AFTER_MS = 1_900;
const OVERLAP_MS = 10_000;
/**
 * How long an ended session is remembered, here and in the table: longer
 * than any access token can live (the web app refuses a JWT_EXPIRES_IN above
 * a day; ten minutes more cover the 30 s of clock skew a token is allowed
 * and the clocks of the web app and the database), so forgetting it can
 * never let a token back in.
 */
const RETENTION_MS = 24 * 3600_000 + 10 * 60_000;
const PURGE_EVERY_MS = 10 * 60_000;
export const PAGE_SIZE = 5_000;

/**
 * One row always (the LEFT JOIN), carrying the database's clock, so the next
 * read starts from the database's time, not this machine's. The next page
 * starts at its last row's time (as JavaScript holds it, to the millisecond),
 * that millisecond included: rows it has read already are read again, none
 * is skipped.
 */
const READ_SQL = `
  SELECT now() AS read_at, r.session_id::text AS sid, r.revoked_at AS revoked_at
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT session_id, revoked_at FROM revoked_sessions
    WHERE revoked_at >= coalesce($1::timestamptz, now() - make_interval(secs => $2))
    ORDER BY revoked_at LIMIT $3
  ) AS r ON true`;

const PURGE_SQL = "DELETE FROM revoked_sessions WHERE revoked_at < now() - make_interval(secs => $1)";

export class RevocationFeed {
  /** Ended session id → when it ended (ms since the epoch, database clock). */
  private readonly ended = new Map<string, number>();
  private readFrom: Date | null = null;
  private lastSuccessAt = 0;
  private lastPurgeAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: FastifyBaseLogger,
    private readonly pageSize = PAGE_SIZE,
  ) {}

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

  hasEnded(sessionId: string): boolean {
    return this.ended.has(sessionId);
  }

  /** The next read half a second after the last one began (at once if it took longer): a slow read does not add its time to the gap. */
  private schedule(lastStartedAt = performance.now()): void {
    if (this.stopped) return;
    const wait = Math.max(0, POLL_INTERVAL_MS - (performance.now() - lastStartedAt));
    this.timer = setTimeout(async () => {
      const startedAt = performance.now();
      await this.readOnce();
      this.schedule(startedAt);
    }, wait);
    // The feed alone must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  private async readOnce(): Promise<void> {
    const startedAt = performance.now();
    try {
      let from = this.readFrom;
      let readAt: Date | undefined;
      for (;;) {
        const { rows } = await this.pool.query<{ read_at: Date; sid: string | null; revoked_at: Date | null }>({
          name: "tasks_revocations_read",
          text: READ_SQL,
          values: [from, RETENTION_MS / 1000, this.pageSize],
        });
        readAt ??= rows[0]?.read_at; // the first page's clock: every later commit is read next time
        let last: Date | null = null;
        for (const row of rows) {
          if (row.sid && row.revoked_at) {
            this.ended.set(row.sid, row.revoked_at.getTime());
            last = row.revoked_at;
          }
        }
        if (rows.length < this.pageSize || !last) break;
        if (last.getTime() === from?.getTime()) {
          // A whole page within one millisecond: more ended sessions than the trigger can record
          // in one (each row has its own clock_timestamp). Said, not passed over in silence.
          this.log.error({ at: last }, `revocation feed: over ${this.pageSize} ended sessions in one millisecond`);
          break;
        }
        from = last;
      }
      if (readAt) this.readFrom = new Date(readAt.getTime() - OVERLAP_MS);
      if (this.failing) this.log.info("revocation feed reads the database again");
      this.failing = false;
      this.lastSuccessAt = startedAt;
      // A read this slow brings the process near its 503s (isCurrent): said, for whoever sees them.
      const took = performance.now() - startedAt;
      if (took > STALE_AFTER_MS / 2) this.log.warn({ ms: Math.round(took) }, "revocation feed: a read took long");
      if (readAt && (this.lastPurgeAt === 0 || startedAt - this.lastPurgeAt >= PURGE_EVERY_MS)) {
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

  /** Forgets what no token can need any more, in memory and in the table. */
  private async purge(now: Date): Promise<void> {
    const horizon = now.getTime() - RETENTION_MS;
    for (const [sid, at] of this.ended) if (at < horizon) this.ended.delete(sid);
    await this.pool.query(PURGE_SQL, [RETENTION_MS / 1000]);
  }
}
