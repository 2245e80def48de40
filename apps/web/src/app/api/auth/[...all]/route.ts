import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "@/lib/auth";

// Every Better Auth endpoint: sign-up, sign-in, sign-out, session, token, jwks.
const handler = () => toNextJsHandler(getAuth());
export const GET = (request: Request) => handler().GET(request);
export const POST = (request: Request) => handler().POST(request);
