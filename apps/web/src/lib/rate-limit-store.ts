/**
 * Better Auth's rate limits, counted in the database (so they hold across web processes) in fixed
 * windows: a key's window starts with its first request, and a new one starts once it has run out.
 *
 * Better Auth's own database store moves a key's window to its latest request and starts a new
 * count only after a whole window without any: its "300 a minute" was "300 with no minute's pause".
 * An office or a carrier's network behind one address, whose people renew their access tokens all
 * day, never paused for a minute and was refused every renewal for a minute at every 300th, and the
 * Retry-After it was given (a window from the last request) was not when the count began again.
 *
 * As with any fixed window, a client can make up to twice a rule's tries across the end of one
 * window and the start of the next (the per-account pause of passwords bounds guessing anyway).
 * Times are the web process's clock, as Better Auth's are. While processes of the version before
 * run beside these (a rolling upgrade), theirs still move a window to its latest request.
 */
import "server-only";
import { createHash } from "node:crypto";
import type { BetterAuthOptions } from "better-auth";
import { webDatabasePool } from "./database";

type RateLimitStore = NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customStorage"]>;

/**
 * One statement, so that requests at once from several processes each count (no read before the
 * write). `last_request` (Better Auth's column) holds when the window began. A refused request is
 * counted up to max + 1 only: nothing grows however long a client keeps trying.
 */
const CONSUME = `
  INSERT INTO rate_limits AS r (key, count, last_request) VALUES ($1, 1, $2)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN r.last_request <= $2 - $3 THEN 1 ELSE least(r.count + 1, $4 + 1) END,
    last_request = CASE WHEN r.last_request <= $2 - $3 THEN $2 ELSE r.last_request END
  RETURNING count, last_request`;

/**
 * Counts whose window began this long ago are deleted, once a minute per process: Better Auth's
 * windows are a minute at most (kept a little longer than needed, for a rule of up to ten minutes),
 * the emails' an hour (`email:` keys, email.ts).
 */
const KEEP_BEGUN_MS = 10 * 60_000;
const KEEP_EMAIL_COUNTS_MS = 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;
let prunedAt = 0;

/**
 * A key as stored: as it is up to KEY_KEPT_WHOLE characters, else its start and a hash of the whole.
 * Better Auth's keys hold the request's path, whatever it is (it counts before it routes): one of
 * some kilobytes of random text was longer than PostgreSQL's b-tree takes, and every such request
 * was a 500.
 */
const KEY_KEPT_WHOLE = 200;
function storedKey(key: string): string {
  if (key.length <= KEY_KEPT_WHOLE) return key;
  return `${key.slice(0, 100)}…sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/** What a try counted in its key's window was told: go ahead, or come back in `retryAfter` seconds. */
export interface WindowCount {
  allowed: boolean;
  retryAfter: number | null;
}

/**
 * Counts one try of `key` in its fixed window of `windowMs`, and whether it is within `max`.
 * (Better Auth's limits, through the store below, and the limit of emails to one address.)
 */
export async function countInFixedWindow(key: string, windowMs: number, max: number): Promise<WindowCount> {
  const at = Date.now();
  const { rows } = await webDatabasePool().query<{ count: number; last_request: string }>(CONSUME, [
    storedKey(key),
    at,
    windowMs,
    max,
  ]);
  if (at - prunedAt > PRUNE_EVERY_MS) {
    prunedAt = at;
    // Not awaited: the request does not wait for the clean-up, and a failure of it changes nothing.
    webDatabasePool()
      .query("DELETE FROM rate_limits WHERE last_request < $1 OR (last_request < $2 AND key NOT LIKE 'email:%')", [
        at - KEEP_EMAIL_COUNTS_MS,
        at - KEEP_BEGUN_MS,
      ])
      .catch(() => {});
  }
  const row = rows[0];
  if (!row || row.count <= max) return { allowed: true, retryAfter: null };
  const endsAt = Number(row.last_request) + windowMs;
  return { allowed: false, retryAfter: Math.max(1, Math.ceil((endsAt - at) / 1000)) };
}

export function databaseRateLimitStore(): RateLimitStore {
  return { consume: (key, { window, max }) => countInFixedWindow(key, window * 1000, max) };
}
