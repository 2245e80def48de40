/**
 * The per-user rate limit's counts, shared by every API process through
 * PostgreSQL (the `api_request_counts` table): `API_RATE_LIMIT` requests a
 * minute per user however many processes serve them, not that many per
 * process.
 *
 * A request is counted here in memory and answered at once, with no
 * statement of its own. About once a second the process adds what it
 * counted to each user's row in one statement and reads the sums back, so
 * what it knows of the other processes is at most a round old: a user who
 * spreads requests over N processes can get past the limit by what N
 * processes let through in one round, no more. A minute starts with a user's
 * first request in it, by PostgreSQL's clock, shared by all processes. When
 * the database does not answer, each process goes on with its own counts and
 * sends them with the next round that works.
 */
import { isDatabaseUnavailable, statementCannotHaveRun } from "@tasks/db";
import type pg from "pg";

/** What @fastify/rate-limit reads back for each request: the count in the window, and the ms left in it. */
interface Counted {
  current: number;
  ttl: number;
}

/** One user's minute as this process knows it. */
interface Window {
  /** By this process's clock (Date.now()), as PostgreSQL's said when last heard. */
  endsAt: number;
  /** The sum over every process, as of the last round (this process's share in it included). */
  shared: number;
  /** Counted here and sent with the round under way, whose answer has not come. */
  inFlight: number;
  /** Counted here since then. */
  unsent: number;
}

/**
 * A round of the counts: every user's unsent requests added (a minute gone by
 * starts again), and the sums and the time left read back, also for users
 * with none unsent here (read only: a row is never made or renewed for none).
 */
const ADD_AND_READ = `
  WITH sent AS (
    SELECT * FROM unnest($1::text[], $2::int[]) AS sent(user_id, requests)
  ), added AS (
    INSERT INTO api_request_counts AS c (user_id, window_started_at, requests)
    -- In one order in every process: two rounds that lock the same rows cannot wait on each other in a circle.
    SELECT user_id, now(), requests FROM sent WHERE requests > 0 ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET
      window_started_at = CASE WHEN c.window_started_at <= now() - make_interval(secs => $3::float8 / 1000)
                               THEN now() ELSE c.window_started_at END,
      requests = CASE WHEN c.window_started_at <= now() - make_interval(secs => $3::float8 / 1000)
                      THEN excluded.requests ELSE c.requests + excluded.requests END
    RETURNING c.user_id, c.requests, c.window_started_at
  )
  SELECT user_id, requests,
    ceil(extract(epoch FROM window_started_at + make_interval(secs => $3::float8 / 1000) - now()) * 1000)::int AS ms_left
  FROM (
    SELECT user_id, requests, window_started_at FROM added
    UNION ALL
    SELECT c.user_id, c.requests, c.window_started_at FROM api_request_counts c JOIN sent USING (user_id)
    WHERE sent.requests = 0 AND c.window_started_at > now() - make_interval(secs => $3::float8 / 1000)
  ) AS sums`;

/** Rows of minutes long gone, skipping any that a round holds (it renews them). */
const DELETE_GONE = `
  DELETE FROM api_request_counts WHERE user_id IN (
    SELECT user_id FROM api_request_counts
    WHERE window_started_at < now() - make_interval(secs => 2 * $1::float8 / 1000)
    FOR UPDATE SKIP LOCKED
  )`;

export class SharedRateLimitCounts {
  private readonly windows = new Map<string, Window>();
  private round: ReturnType<typeof setInterval> | undefined;
  private sending: Promise<void> | undefined;
  private lastChoreAt = Date.now();
  private lastFailureLoggedAt = 0;

  /**
   * `windowMs`: the limit's window (a minute), also how often the rows of
   * windows long gone are deleted and a failing round is logged at most;
   * `roundMs`: how often the counts go to the database and come back.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly windowMs: number,
    /** Told of a round that failed for another reason than the database being out of reach (a bug). */
    private readonly onUnexpectedFailure: (error: unknown) => void,
    private readonly roundMs = 1_000,
  ) {}

  start(): void {
    this.round ??= setInterval(() => void this.sendRound(), this.roundMs);
    this.round.unref();
  }

  /** No more rounds; the one under way (if any) ends first, so that its pool may close after. */
  async stop(): Promise<void> {
    clearInterval(this.round);
    this.round = undefined;
    await this.sending;
  }

  /** Counts one request of `key` (a user's id): the store interface of @fastify/rate-limit. */
  incr(key: string, callback: (error: Error | null, counted: Counted) => void): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { endsAt: now + this.windowMs, shared: 0, inFlight: 0, unsent: 0 };
      this.windows.set(key, window);
    }
    window.unsent += 1;
    callback(null, { current: window.shared + window.inFlight + window.unsent, ttl: window.endsAt - now });
  }

  /** The class @fastify/rate-limit makes its store from (it calls `new` on it), counting here. */
  storeClass() {
    const counts = this;
    return class SharedRateLimitStore {
      incr(key: string, callback: (error: Error | null, counted: Counted) => void): void {
        counts.incr(key, callback);
      }

      /** One store for the whole scope: every route counts toward the user's one limit. */
      child(): this {
        return this;
      }
    };
  }

  /**
   * Sends what was counted since the last round and reads back the sums of
   * every user with a minute under way here. A minute that has ended here is
   * dropped, counts and all: they belong to no minute still running.
   */
  private sendRound(): Promise<void> {
    this.sending ??= this.exchange().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  private async exchange(): Promise<void> {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    // Every live window, though nothing was counted here since: the sum may have grown elsewhere.
    // (In any order: the statement takes the rows in user_id's order.)
    const sent = [...this.windows];
    if (sent.length > 0) {
      for (const [, window] of sent) {
        window.inFlight = window.unsent;
        window.unsent = 0;
      }
      try {
        const { rows } = await this.pool.query<{ user_id: string; requests: number; ms_left: number }>(ADD_AND_READ, [
          sent.map(([key]) => key),
          sent.map(([, window]) => window.inFlight),
          this.windowMs,
        ]);
        const heardAt = Date.now();
        const sums = new Map(rows.map((row) => [row.user_id, row]));
        for (const [key, window] of sent) {
          const sum = sums.get(key);
          window.inFlight = 0;
          // (Unless this window was replaced meanwhile: the sum is of the minute sent for.)
          if (!sum || this.windows.get(key) !== window) continue;
          window.shared = sum.requests;
          window.endsAt = heardAt + Math.max(0, sum.ms_left);
        }
      } catch (error) {
        this.failed(error);
        // Sent again with the next round, unless the statement may have been made although its answer
        // was lost: then they are kept here as counted, not sent twice.
        const resend = statementCannotHaveRun(error);
        for (const [, window] of sent) {
          if (resend) window.unsent += window.inFlight;
          else window.shared += window.inFlight;
          window.inFlight = 0;
        }
      }
    }
    // Only while this process has counts: an idle one sends nothing, so a database that suspends
    // when no one uses it (Neon's scale to zero) can. What is left is deleted when requests come again.
    if (sent.length > 0 && now - this.lastChoreAt >= this.windowMs) {
      this.lastChoreAt = now;
      await this.pool.query(DELETE_GONE, [this.windowMs]).catch((error: unknown) => this.failed(error));
    }
  }

  /** A database out of reach is every process's to wait out; anything else is said, once a minute at most. */
  private failed(error: unknown): void {
    if (isDatabaseUnavailable(error) || Date.now() - this.lastFailureLoggedAt < this.windowMs) return;
    this.lastFailureLoggedAt = Date.now();
    this.onUnexpectedFailure(error);
  }
}
