/** What the auth server writes beside its answers: its log lines, and a session's last activity. */
import "server-only";
import { loggableError } from "@tasks/db";
import { webDatabasePool } from "./database";

/**
 * Better Auth's log lines, each error in them (its message too, which is
 * sometimes the error itself) as loggableError keeps it, and any other object
 * left out: the adapter logs the conditions of a failed query, a session's
 * token among them.
 */
export function logWithoutStatementValues(
  level: "debug" | "info" | "warn" | "error",
  message: unknown,
  ...args: unknown[]
) {
  const write = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
  const kept = (value: unknown) =>
    value instanceof Error
      ? loggableError(value)
      : typeof value === "object" && value !== null
        ? "(details left out)"
        : value;
  write("[auth]", ...[message, ...args].map(kept));
}

/**
 * "Last active" on the account page: Better Auth touches a session only once a
 * day, but the dashboard renews its token every few minutes. At most one
 * write a minute per session; a failure costs only the timestamp.
 */
export function markSessionActive(sessionId: string): void {
  webDatabasePool()
    .query("UPDATE sessions SET updated_at = now() WHERE id = $1 AND updated_at < now() - interval '1 minute'", [
      sessionId,
    ])
    .catch(() => {});
}
