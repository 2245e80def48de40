/**
 * The request's session as the auth hooks read it: once a request, a
 * database that does not answer thrown as what it is (a 503), and a
 * sign-out's session ended before Better Auth clears its cookie.
 */
import "server-only";
import { isDatabaseUnavailable } from "@tasks/db";
import { getSession, isAPIError } from "better-auth/api";
import type { HookContext, SessionOf } from "./auth-hook-context";

/** The requests (each its own context) whose session readSessionOrThrow has read, none found included. */
const sessionsRead = new WeakSet<object>();

/**
 * The request's session, read as Better Auth's getSessionFromCtx reads it (a
 * refresh and its cookie included) and left where the endpoint's own read
 * finds it, except that a database that did not answer is thrown as what it
 * is (a 503, lib/unavailable.ts): getSessionFromCtx takes every failure for
 * "nobody signed in", which an endpoint answers with a 401, and the dashboard
 * with sending the person to sign in.
 */
export async function readSessionOrThrow(ctx: HookContext): Promise<SessionOf | null> {
  if (ctx.context.session || sessionsRead.has(ctx.context)) return ctx.context.session;
  // With returnHeaders, the endpoint answers its headers (a refreshed session's cookie) beside the session.
  const read = (await getSession()({
    ...ctx,
    method: "GET",
    asResponse: false,
    returnHeaders: true,
    returnStatus: false,
    query: { ...ctx.query },
  } as Parameters<ReturnType<typeof getSession>>[0]).catch((error: unknown) => {
    if (isAPIError(error) && isDatabaseUnavailable(error.cause)) throw error.cause;
    return null;
  })) as { headers?: Headers; response: SessionOf | null } | null;
  const session = read?.response ?? null;
  read?.headers?.forEach((value, key) => {
    const name = key.toLowerCase();
    if (name === "set-cookie") ctx.responseHeaders?.append(key, value);
    else if (name !== "cache-control" && name !== "pragma") ctx.setHeader(key, value);
  });
  ctx.context.session = session;
  sessionsRead.add(ctx.context);
  return session;
}

/** Ends the session whose signed cookie came with the request, if one did (a failure is thrown). */
export async function endSessionOfCookie(ctx: HookContext): Promise<void> {
  const token = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
  if (token) await ctx.context.internalAdapter.deleteSession(token);
}
