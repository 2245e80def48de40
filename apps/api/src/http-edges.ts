/**
 * The edges of HTTP that no route handles: a method a route lacks (405 with
 * `Allow`, every method Node parses), a CONNECT (a tunnel, which Node hands
 * over bare), an Expect other than 100-continue, and a request Node's parser
 * refuses before Fastify sees it (malformed, headers too large, too slow).
 * Each gets a problem document, and the connection closes where it must.
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { dropAnyBody } from "./ignored-bodies";
import { HttpProblem, problemBody, sendProblem } from "./problem";

/** The routes and the methods each one has; any other method is 405 with `Allow`. */
const ROUTE_METHODS: Record<string, string[]> = {
  "/api/:user_id/tasks": ["GET", "POST"],
  "/api/:user_id/tasks/:id": ["GET", "PUT", "PATCH", "DELETE"],
  "/api/:user_id/tasks/:id/complete": ["PATCH"],
  "/healthz": ["GET"],
  "/readyz": ["GET"],
  "/openapi.json": ["GET"],
  "/docs": ["GET"],
  // The documentation page's own files (its JSON and YAML, scripts, styles), which @fastify/swagger-ui serves.
  "/docs/*": ["GET"],
};

/**
 * The path a request's target names. A target may come in absolute form
 * (`GET http://host/api/…`, as to a proxy), which the router routes like its
 * path; rules that go by the path must read it the same way.
 */
export function pathOf(target: string): string {
  if (target.startsWith("/")) return target;
  return URL.canParse(target) ? new URL(target).pathname : target;
}

/**
 * What `Allow` names for a route: its methods, HEAD where it has GET, and OPTIONS, which every route
 * answers (CORS's preflight, or an empty 204).
 */
function allowedOn(methods: string[]): string {
  return [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
}

/** Every method some route has: what a CONNECT, which names no route, is told to use. */
const ANY_ROUTE_METHODS = allowedOn([...new Set(Object.values(ROUTE_METHODS).flat())]);

/** Answers, on `app`'s server, every method no route has, CONNECT and Expect (registered last, after the routes). */
export async function answerEveryOtherMethod(app: FastifyInstance): Promise<void> {
  app.server.on("connect", (_request: http.IncomingMessage, socket: Duplex) => refuseTunnel(socket));
  // An Expect other than 100-continue: Node answers it with a bare 417 unless someone listens.
  app.server.on("checkExpectation", refuseExpectation);
  // Every other method Node parses (TRACE, PROPFIND, …) reaches the router, to be answered 405.
  for (const method of http.METHODS) {
    if (!app.supportedMethods.includes(method) && method !== "CONNECT") app.addHttpMethod(method, { hasBody: true });
  }
  // In a scope that reads and drops any body: the wrong method is the answer, not the body's type.
  await app.register(async (scope) => {
    dropAnyBody(scope);
    for (const [url, allowed] of Object.entries(ROUTE_METHODS)) {
      // OPTIONS is CORS's preflight; HEAD comes with GET.
      const others = scope.supportedMethods.filter(
        (method) => !allowed.includes(method) && method !== "OPTIONS" && method !== "HEAD",
      );
      const allow = allowedOn(allowed);
      scope.route({
        method: others,
        url,
        schema: { hide: true },
        handler: async (request, reply) =>
          sendProblem(
            reply,
            new HttpProblem(405, `${request.method} is not allowed here; use ${allow}.`, { headers: { allow } }),
          ),
      });
    }
  });
}

/**
 * Node's parser refused the request before Fastify saw it. Fastify's own
 * handler answers without `Connection: close` and then destroys the socket,
 * so a keep-alive client's next request on it fails with ECONNRESET (behind
 * a load balancer: a 502). Ours says it closes, then closes gracefully.
 *
 * Requests pipelined before the bad one are answered first: written at once,
 * the 400 would be read as the answer to a create still being made, and the
 * create's own 201 would never come (Node's and Fastify's handlers do that).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // The parser may report the same connection again; one answer is enough.
  if (answered.has(socket)) return;
  answered.add(socket);
  afterResponsesInFlight(socket, () => endWithClientError(error, socket));
}

const answered = new WeakSet<Duplex>();

/**
 * Runs `then` once no response to a request received whole is being written
 * on the connection. Node writes pipelined responses one at a time, each
 * assigned to the socket (`_httpMessage`, which Node's own error handler
 * reads too) when the one before it has finished, which happens before this
 * listener runs. A response whose request has not come whole is the one the
 * error is about (its body cut short, malformed or too slow: a 408), and
 * would never finish: the answer goes at once.
 */
function afterResponsesInFlight(socket: Duplex, then: () => void): void {
  const current = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  // Its "finish", not `writableFinished`: that turns true once the answer's bytes are handed to the
  // kernel, before "finish", on which Node hands the connection to the next answer. Going then, the
  // 400 closed the connection ahead of that next answer, which was lost (seen once in CI). A response
  // still on the socket has not emitted "finish" (Node takes it off the socket as it does); "close"
  // too, for a connection that goes first.
  if (current?.req.complete && !socket.destroyed) {
    let lookedAgain = false;
    const lookAgain = () => {
      if (lookedAgain) return;
      lookedAgain = true;
      afterResponsesInFlight(socket, then);
    };
    current.once("finish", lookAgain);
    current.once("close", lookAgain);
  } else {
    then();
  }
}

function endWithClientError(error: Error & { code?: string }, socket: Duplex): void {
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const detail =
    status === 431
      ? "The request headers are too large."
      : status === 408
        ? "The request took too long to arrive."
        : "The request is malformed.";
  endWithProblem(socket, status, detail);
}

/**
 * A CONNECT (a tunnel): Node hands it over instead of routing it, and with
 * nobody to take it closes the connection unanswered. Like any other method
 * no route has, it is a 405.
 */
function refuseTunnel(socket: Duplex): void {
  socket.on("error", () => {}); // a client gone meanwhile: nothing left to tell it
  // Node gives the socket over bare (no timeout, not read): whatever the client sends is read and
  // dropped, and a client that never closes its side is closed on, so a shutdown does not wait on it.
  socket.resume();
  const closeAnyway = setTimeout(() => socket.destroy(), 5_000).unref();
  socket.once("close", () => clearTimeout(closeAnyway));
  endWithProblem(socket, 405, `CONNECT is not allowed here; use ${ANY_ROUTE_METHODS}.`, [
    `Allow: ${ANY_ROUTE_METHODS}`,
  ]);
}

/** A request whose Expect header is not 100-continue: 417, and the connection closes (its body is not read). */
function refuseExpectation(_request: http.IncomingMessage, response: http.ServerResponse): void {
  const body = JSON.stringify(problemBody(417, "Only Expect: 100-continue is understood here."));
  response.writeHead(417, {
    connection: "close",
    "content-type": "application/problem+json",
    "x-content-type-options": "nosniff",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

/** A problem document written straight to a connection that no request handler owns, which then closes. */
function endWithProblem(socket: Duplex, status: number, detail: string, headers: string[] = []): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(problemBody(status, detail));
  socket.end(
    [
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`,
      "Connection: close",
      "Content-Type: application/problem+json",
      "X-Content-Type-Options: nosniff",
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n"),
  );
}
