"use client";
/** Better Auth's browser client: sign up, sign in, sign out, session, the second factor and passkeys. */
import { passkeyClient } from "@better-auth/passkey/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

// No onTwoFactorRedirect: the sign-in form reads `twoFactorRedirect` from the answer and shows its
// second step in place, keeping what the person typed.
export const authClient = createAuthClient({ plugins: [twoFactorClient(), passkeyClient()] });
