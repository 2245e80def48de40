import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "@/lib/auth";

// Every Better Auth endpoint: sign-up, sign-in, sign-out, session, token, jwks.
const handler = () => toNextJsHandler(getAuth());
export const GET = async (request: Request) => withContractHeaders(await handler().GET(request));
export const POST = async (request: Request) => withContractHeaders(await handler().POST(request));

/**
 * Better Auth's answer with two headers it leaves out: a 429 says when to try
 * again in the standard `Retry-After` (Better Auth sends only its own
 * `X-Retry-After`), and nothing here (a token, a session) is kept by a cache.
 */
function withContractHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  const retryAfter = headers.get("x-retry-after");
  if (response.status === 429 && retryAfter && !headers.has("retry-after")) headers.set("retry-after", retryAfter);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
