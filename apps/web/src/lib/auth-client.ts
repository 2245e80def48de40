"use client";
/** Better Auth's browser client: sign up, sign in, sign out, session, the second factor and passkeys. */
import { passkeyClient } from "@better-auth/passkey/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";
import { answeredInTime, NoAnswerError, readWhole } from "./answer-limit";
import { NO_ANSWER_TEXT, SERVER_NO_ANSWER, SERVER_UNREACHABLE } from "./auth-errors";

// No onTwoFactorRedirect: the sign-in form reads `twoFactorRedirect` from the answer and shows its
// second step in place, keeping what the person typed.
export const authClient = createAuthClient({
  fetchOptions: { customFetchImpl: fetchOrUnreachable },
  plugins: [twoFactorClient(), passkeyClient()],
});

/**
 * A request that never reached the server (offline, the server down) comes
 * back as an answer the forms read like any refusal (code SERVER_UNREACHABLE),
 * instead of a thrown error that would leave them on "Please wait…"; so does
 * one with no answer in time, its body included (SERVER_NO_ANSWER,
 * answer-limit.ts: "Signing out…" could otherwise last as long as the
 * browser waits).
 */
async function fetchOrUnreachable(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await answeredInTime(async (signal) => {
      // Its body within the limit too: a connection can go silent after the headers.
      return readWhole(await fetch(input, { ...init, signal }));
    }, init?.signal);
  } catch (error) {
    if (init?.signal?.aborted) throw error; // cancelled here, not lost
    const problem =
      error instanceof NoAnswerError
        ? { code: SERVER_NO_ANSWER, message: NO_ANSWER_TEXT }
        : { code: SERVER_UNREACHABLE, message: "Cannot reach the server." };
    return new Response(JSON.stringify(problem), { status: 503, headers: { "content-type": "application/json" } });
  }
}
