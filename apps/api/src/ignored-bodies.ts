/**
 * For the routes that take no body (a toggle, a delete, and every method a
 * route lacks): a body is read and dropped, whatever it is, so that the
 * route's own answer is the answer, not a 400 or 415 about a body it would
 * never use (and a toggle or a delete is not refused for one).
 */
import type { FastifyInstance } from "fastify";

/** A media type the catch-all parser below takes (any valid one would do). */
const ANY_BODY = "application/octet-stream";

export function dropAnyBody(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) => done(null, undefined));
  // Fastify refuses some requests before any parser runs: a Content-Type it cannot parse (415), and
  // a QUERY without one (400). The type of a body that is dropped does not matter: it is set to one
  // the parser above takes, after the onRequest hooks (authentication, where the scope has it) and
  // before Fastify looks at it. (Fastify keeps the type it parsed the first time anything reads
  // request.mediaType: no hook before this one may read it, or the type set here is not seen.)
  scope.addHook("preParsing", async (request) => {
    request.headers["content-type"] = ANY_BODY;
  });
}
