import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "@/lib/auth";
import { addressTakenResponse } from "@/lib/change-email-links";
import { webConfig } from "@/lib/config";
import { settleCodeChecks } from "@/lib/two-factor-steps";
import { failedRequestResponse, problemDocument } from "@/lib/unavailable";

// Every Better Auth endpoint: sign-up, sign-in, sign-out, session, token, jwks.
const handler = () => toNextJsHandler(getAuth());
export const GET = (request: Request) => answer(request, () => handler().GET(request));
export const POST = (request: Request) => answer(request, () => handler().POST(request));

/**
 * Better Auth's answer, or, for an error it has no answer for (the database
 * down: it throws those, auth.ts), ours: a change of address to an address
 * taken since said as such, else 503 or 500 with a problem body instead of
 * Next.js's empty 500.
 */
async function answer(request: Request, respond: () => Promise<Response>): Promise<Response> {
  try {
    const response = await respond();
    // Better Auth no longer logs its own 500s (it throws instead, see auth.ts): said here.
    if (response.status >= 500) {
      console.error(`[auth] ${request.method} ${new URL(request.url).pathname} answered ${response.status}`);
    }
    return await withContractHeaders(response);
  } catch (error) {
    await settleCodeChecks(request, error);
    const isSignedIn = () =>
      getAuth()
        .api.getSession({ headers: request.headers })
        .then(Boolean, () => false);
    return (
      (await addressTakenResponse(request, error, webConfig().baseUrl, isSignedIn)) ?? failedRequestResponse(error)
    );
  }
}

/**
 * Better Auth's answer as the contract has it: a refusal is a problem
 * document (RFC 9457), every 429 says when to try again in the standard
 * `Retry-After` (Better Auth's rate limiter sends only its own
 * `X-Retry-After`; our locks send the standard one), and nothing here (a token, a
 * session) is kept by a cache.
 */
async function withContractHeaders(response: Response): Promise<Response> {
  const headers = new Headers(response.headers);
  if (response.status === 429 && !headers.has("retry-after")) {
    headers.set("retry-after", headers.get("x-retry-after") ?? "60");
  }
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  const isProblem = headers.get("content-type")?.startsWith("application/problem+json");
  if (response.status < 400 || isProblem) {
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
  headers.set("content-type", "application/problem+json");
  headers.delete("content-length");
  const body = JSON.stringify(asProblem(response.status, await response.text()));
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** A refusal of Better Auth's (`{code, message}`, or nothing) as a problem document; its own fields stay. */
function asProblem(status: number, text: string): Record<string, unknown> {
  let refusal: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) refusal = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (or empty): the status alone says it.
  }
  const said = typeof refusal.message === "string" && refusal.message !== "" ? refusal.message : undefined;
  return problemDocument(status, said, refusal); // (no message: the detail is the title)
}
