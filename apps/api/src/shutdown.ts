/**
 * How the Task API stops (SIGTERM at a deploy, server.ts calls `app.close()`):
 * the requests under way are answered, each with `Connection: close`; a
 * request that still arrives is turned away with a 503 (another process will
 * answer it); and whatever is still open once the request time limit has
 * passed is cut, so that a stop never waits for a client.
 */
import type { FastifyInstance } from "fastify";
import { HttpProblem } from "./problem";

export function shutDownGracefully(app: FastifyInstance, requestTimeoutMs: number): void {
  let shuttingDown = false;
  /** Connections on which a request arrived after the shutdown began (pipelined): its 503 closes them. */
  const askedWhileShuttingDown = new WeakSet<object>();
  // A request under way when the shutdown began: its connection closes once it is answered (unless
  // another request waits on it, whose 503 closes it). Kept alive, it would hold the server's close
  // (and the pool's) until keepAliveTimeout, 72 s. (HTTP/1 only: HTTP/2 has no such header.)
  app.addHook("onSend", async (request, reply) => {
    const socket = request.raw.socket;
    if (shuttingDown && request.raw.httpVersionMajor < 2 && !askedWhileShuttingDown.has(socket)) {
      reply.header("connection", "close");
    }
  });
  // Shutting down: a request that still arrives (on a connection that was busy when the shutdown
  // began) is turned away, after CORS so that a browser can read why. Fastify adds Connection: close,
  // so the client or load balancer takes its next request elsewhere.
  app.addHook("preClose", async () => {
    shuttingDown = true;
    // Every request from now on, a CORS preflight (answered before any hook of ours) included.
    app.server.on("request", (request) => askedWhileShuttingDown.add(request.socket));
    // Node stops enforcing the request time limit once the server closes, so a request whose body was
    // still coming (a byte at a time, or never) would hold the close for ever. Every connection still
    // open once that limit has passed is cut: a request that arrived whole is answered well before
    // (a list waits at most 10 s for its turn, a statement 3 s for a connection and 5 s to run).
    const cutTheRest = setTimeout(() => app.server.closeAllConnections(), requestTimeoutMs).unref();
    app.server.once("close", () => clearTimeout(cutTheRest));
  });
  app.addHook("onRequest", (_request, _reply, done) => {
    if (!shuttingDown) return done();
    done(
      new HttpProblem(503, "This server is shutting down; try again, another will answer.", {
        headers: { "retry-after": "1" },
      }),
    );
  });
}
