"use client";
/** Better Auth's browser client: sign up, sign in, sign out, session, the second factor and passkeys. */
import { passkeyClient } from "@better-auth/passkey/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";
import { NO_ANSWER_TEXT, SERVER_NO_ANSWER, SERVER_UNREACHABLE } from "./auth-errors";

// No onTwoFactorRedirect: the sign-in form reads `twoFactorRedirect` from the answer and shows its
// second step in place, keeping what the person typed.
export const authClient = createAuthClient({
  fetchOptions: { customFetchImpl: fetchOrUnreachable },
  plugins: [twoFactorClient(), passkeyClient()],
});

/**
 * How long a request to the auth endpoints may go without an answer: they answer within seconds (a
 * 503 when their database does not), so a connection gone silent fails with a message and the form
 * can be sent again, instead of "Signing out…" for as long as the browser waits.
 */
const ANSWER_WITHIN_MS = 15_000;

/**
 * A request that never reached the server (offline, the server down) comes
 * back as an answer the forms read like any refusal (code SERVER_UNREACHABLE),
 * instead of a thrown error that would leave them on "Please wait…"; so does
 * one with no answer in time (SERVER_NO_ANSWER).
 */
async function fetchOrUnreachable(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // Our own signal, so that the limit can end the request; a cancel by the caller is passed on.
  const noAnswer = new AbortController();
  const cancelled = init?.signal;
  const passOnCancel = () => noAnswer.abort();
  if (cancelled?.aborted) noAnswer.abort();
  cancelled?.addEventListener("abort", passOnCancel);
  const timer = setTimeout(() => noAnswer.abort(), ANSWER_WITHIN_MS);
  try {
    return await fetch(input, { ...init, signal: noAnswer.signal });
  } catch (error) {
    if (cancelled?.aborted) throw error; // cancelled here, not lost
    const problem = noAnswer.signal.aborted
      ? { code: SERVER_NO_ANSWER, message: NO_ANSWER_TEXT }
      : { code: SERVER_UNREACHABLE, message: "Cannot reach the server." };
    return new Response(JSON.stringify(problem), { status: 503, headers: { "content-type": "application/json" } });
  } finally {
    clearTimeout(timer);
    cancelled?.removeEventListener("abort", passOnCancel);
  }
}
