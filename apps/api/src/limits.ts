/** What one request to the Task API may be: its size, how long it may take to arrive, how many a person may send. */

/** The largest body taken (a task is a few kB at most); larger is a 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A request must have arrived whole (headers and body) this long after it began, or it is a 408 and
 * its connection closes. Fastify sets no limit: a client that announced a body and sent it a byte at
 * a time, or never, held its connection (a descriptor, up to a body's buffer) for good, no token
 * needed, and `app.close()` at a deploy waited for it for ever. 64 KiB take far less on any link.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A connection on which nothing moves this long, either way, is closed (Node closes it within two of
 * these when a write moved since its last look). Node sets no limit: a client that asked for a large
 * answer (the API's docs' script, 1.7 MB, no token needed) and never read it held its connection, a
 * descriptor and the answer's buffers for good, once the kernel's buffers were full. Longer than any
 * request's work (a keyed create waits for at most two connections and two statements). A keep-alive
 * connection idle between requests is closed by Fastify's keepAliveTimeout (72 s) instead.
 */
export const CONNECTION_IDLE_TIMEOUT_MS = 60_000;

/** The per-user rate limit counts `API_RATE_LIMIT` requests in this long. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
