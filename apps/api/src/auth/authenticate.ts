/**
 * The gate in front of every task route: a valid Bearer token (401 if not)
 * from a sign-in session that has not ended (401; 503 while the revocation
 * feed cannot tell), and a `{user_id}` in the path that is exactly the
 * token's `sub` (403 if not), all decided before the body is read or any
 * query runs.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem } from "../problem";
import type { RevocationFeed } from "./revocation-feed";
import { type AccessTokenVerifier, InvalidTokenError, KeysUnavailableError } from "./verify-access-token";

declare module "fastify" {
  interface FastifyRequest {
    /** The token's `sub`, set once the request is authenticated. */
    userId: string;
  }
}

const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i;

/** The realm of every 401's challenge. */
export const TASKS_REALM = "tasks";

/** The `WWW-Authenticate` value of a 401 (RFC 6750): `error` when a token was sent but is no good. */
export function bearerChallenge(realm: string, error?: string): string {
  return error ? `Bearer realm="${realm}", error="${error}"` : `Bearer realm="${realm}"`;
}

/** The 503 of a process whose feed of ended sessions is behind: it cannot tell a signed-out token. */
export function signOutsUncheckable(): HttpProblem {
  return new HttpProblem(503, "Sign-outs cannot be checked right now; try again shortly.", {
    headers: { "retry-after": "5" },
  });
}

export function createAuthenticateHook(
  verifyAccessToken: AccessTokenVerifier,
  revocations: RevocationFeed,
  realm: string,
) {
  const challenge = (error?: string) => bearerChallenge(realm, error);

  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    // Only the Authorization header counts: never a query parameter or a cookie.
    const header = request.headers.authorization;
    // No header, or another scheme (Basic…): the challenge alone, with no error code (RFC 6750, 3.1).
    if (header === undefined || !/^Bearer\b/i.test(header.trim())) {
      throw new HttpProblem(401, "This request needs an access token: send Authorization: Bearer <token>.", {
        headers: { "www-authenticate": challenge() },
      });
    }
    const match = BEARER.exec(header.trim());
    const invalid = (detail: string) =>
      new HttpProblem(401, detail, { headers: { "www-authenticate": challenge("invalid_token") } });
    if (!match?.[1]) throw invalid("The Authorization header must be: Bearer <token>.");

    try {
      const token = await verifyAccessToken(match[1]);
      // Before the ended sessions are looked at: a feed asleep for want of requests reads first.
      const canTell = await revocations.canTell();
      if (revocations.hasEnded(token.sid)) throw new InvalidTokenError("the session has ended");
      if (!canTell) throw signOutsUncheckable();
      request.userId = token.sub;
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        throw new HttpProblem(503, "Access tokens cannot be checked right now; try again shortly.", {
          headers: { "retry-after": "5" },
        });
      }
      if (error instanceof InvalidTokenError) {
        request.log.info({ reason: error.message }, "access token refused");
        throw invalid("The access token is invalid or has expired.");
      }
      throw error;
    }

    const { user_id: pathUserId } = request.params as { user_id?: string };
    if (pathUserId !== request.userId) {
      throw new HttpProblem(403, "This token does not give access to that user's tasks.");
    }
  };
}
