/**
 * What the web app answers when its database does not: never Next.js's bare
 * 500. Better Auth's endpoints answer 503 with a problem body (RFC 9457) that
 * the forms show as it is; a page sends the person to /unavailable (503), which
 * links back to the page they asked for.
 */
import "server-only";
import { STATUS_CODES } from "node:http";
import { databaseErrorCode, isDatabaseUnavailable, loggableError } from "@tasks/db";
import { redirect } from "next/navigation";
import { DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_TEXT } from "./auth-errors";
import { REQUEST_PATH_HEADER, safeNext } from "./next-path";

/** Where a page that could not read the database sends the person; `next` is where "Try again" goes. */
export const UNAVAILABLE_PATH = "/unavailable";

/** Seconds a client is told to wait: an outage of the database is often a restart or a failover. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * A page's read of the database (the session, the account's lists): its
 * result, or, when the database does not answer, off to /unavailable. Other
 * errors are thrown as they are.
 */
export async function readOrShowUnavailable<T>(requestHeaders: Headers, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw withoutStatementParameters(error, "a page's read of the database");
    console.warn(`[web] database unavailable while rendering a page (${databaseErrorCode(error) ?? "no code"})`);
  }
  const back = safeNext(requestHeaders.get(REQUEST_PATH_HEADER) ?? undefined);
  redirect(`${UNAVAILABLE_PATH}?next=${encodeURIComponent(back)}`);
}

/**
 * What a page or a server action throws on for an error that is not the database being away:
 * Next.js logs it, causes and all, and a failed statement's error quotes its parameters (a session
 * cookie's token among them). Such an error is logged here without them, and what is thrown on has
 * none; any other is thrown on as it is.
 */
export function withoutStatementParameters(error: unknown, what: string): unknown {
  const loggable = loggableError(error);
  if (loggable === error) return error;
  console.error(`[web] ${what} failed`, loggable);
  return new Error(`${what} failed (logged above without its parameters)`);
}

/**
 * The answer to a request of Better Auth's that failed with an error of no
 * status (Better Auth's own refusals have one): 503 when the database did not
 * answer, else 500, logged without the statement's values.
 */
export function failedRequestResponse(error: unknown): Response {
  if (isDatabaseUnavailable(error)) {
    console.warn(`[auth] database unavailable (${databaseErrorCode(error) ?? "no code"})`);
    // No claim that nothing changed: the connection may have gone while a write was out, and
    // Better Auth writes on GETs too (a session's renewal). Asked again, each endpoint says where it stands.
    return problemResponse(503, DATABASE_UNAVAILABLE_TEXT, DATABASE_UNAVAILABLE, {
      "retry-after": String(RETRY_AFTER_SECONDS),
    });
  }
  console.error("[auth] unexpected error", loggableError(error));
  return problemResponse(500, "Something went wrong on our side. Try again.", "INTERNAL");
}

/** An RFC 9457 problem document of the web app's, beside other `fields` (Better Auth's own, say); without a detail, the title is the detail. */
export function problemDocument(
  status: number,
  detail?: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const title = STATUS_CODES[status] ?? "Error";
  return { ...fields, type: "about:blank", title, status, detail: detail ?? title };
}

/**
 * Ours, with `code` and `message` beside `detail`: Better Auth's client reads
 * those two from any error body, so the forms show the detail.
 */
function problemResponse(status: number, detail: string, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problemDocument(status, detail, { code, message: detail })), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}
