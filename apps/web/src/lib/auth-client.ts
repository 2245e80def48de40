"use client";
/** Better Auth's browser client: sign up, sign in, sign out, session, the second factor and passkeys. */
import { passkeyClient } from "@better-auth/passkey/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";
import { SERVER_UNREACHABLE } from "./auth-errors";

// No onTwoFactorRedirect: the sign-in form reads `twoFactorRedirect` from the answer and shows its
// second step in place, keeping what the person typed.
export const authClient = createAuthClient({
  fetchOptions: { customFetchImpl: fetchOrUnreachable },
  plugins: [twoFactorClient(), passkeyClient()],
});

/**
 * A request that never reached the server (offline, the server down) comes
 * back as an answer the forms read like any refusal (code SERVER_UNREACHABLE),
 * instead of a thrown error that would leave them on "Please wait…".
 */
async function fetchOrUnreachable(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error; // cancelled here, not lost
    const problem = { code: SERVER_UNREACHABLE, message: "Cannot reach the server." };
    return new Response(JSON.stringify(problem), { status: 503, headers: { "content-type": "application/json" } });
  }
}
