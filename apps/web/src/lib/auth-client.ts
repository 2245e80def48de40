"use client";
/** Better Auth's browser client: sign up, sign in, sign out, session. */
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient();
