/**
 * Builds the Task API (without listening, so tests can `inject`): plugins,
 * the error shape, health checks, the OpenAPI document, then the task routes
 * behind authentication. server.ts is what listens.
 */

import http from "node:http";
import type { Duplex } from "node:stream";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { createPool, databaseErrorCode, isDatabaseUnavailable, loggableError, statementCannotHaveRun } from "@tasks/db";
import { drizzle } from "drizzle-orm/node-postgres";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type pg from "pg";
import { bearerChallenge, createAuthenticateHook, signOutsUncheckable } from "./auth/authenticate";
import { RevocationFeed } from "./auth/revocation-feed";
import { createAccessTokenVerifier } from "./auth/verify-access-token";
import type { ApiConfig } from "./config";
import { dropAnyBody } from "./ignored-bodies";
import { HttpProblem, problemBody, sendProblem } from "./problem";
import { SharedRateLimitCounts } from "./shared-rate-limit";
import { createBatchLimits } from "./tasks/create-batches";
import { PerUserSlots } from "./tasks/per-user-slots";
import { TasksRepository } from "./tasks/tasks-repository";
import { tasksRoutes } from "./tasks/tasks-routes";

export interface AppOptions {
  config: ApiConfig;
  /** The routes' pool, used one statement at a time: made with `oneStatementPerLoan`, as server.ts does. */
  pool: pg.Pool;
  /**
   * The revocation feed's own connection; by default one is opened to
   * `config.databaseUrl` (and closed with the app). Tests pass one they can cut.
   */
  revocationPool?: pg.Pool;
  logger?: FastifyServerOptions["logger"];
  /** How often the rate limit's counts are shared with the other API processes (ms; tests shorten it). */
  rateLimitRoundMs?: number;
  /** How long the revocation feed reads without a request before it sleeps (ms; tests shorten it). */
  revocationIdleAfterMs?: number;
  /** How long a request may take to arrive whole, body included (ms; tests shorten it). */
  requestTimeoutMs?: number;
  /** How many lists of one person run at once, and wait their turn (per-user-slots.ts; tests lower it). */
  listSlots?: { maxRunning: number; maxWaiting: number; maxWaitMs: number };
}

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Lists of one person that run at once: half the pool's connections (DATABASE_POOL_MAX), the other
 * half left to everyone else. As many as a hundred more wait their turn, for up to 10 s (a page asks
 * for a few pages and two counts at once, gives up after 15 s; a client may send dozens): only beyond
 * them is it a 429.
 */
const listSlotsFor = (poolMax: number) => ({
  maxRunning: Math.max(1, Math.ceil(poolMax / 2)),
  maxWaiting: 100,
  maxWaitMs: 10_000,
});

/** Refuses bytes that are not UTF-8 (`fatal`) instead of reading them as U+FFFD. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A request must have arrived whole (headers and body) this long after it began, or it is a 408 and
 * its connection closes. Fastify sets no limit: a client that announced a body and sent it a byte at
 * a time, or never, held its connection (a descriptor, up to a body's buffer) for good, no token
 * needed, and `app.close()` at a deploy waited for it for ever. 64 KiB take far less on any link.
 */
const REQUEST_TIMEOUT_MS = 30_000;

/** The per-user rate limit counts `API_RATE_LIMIT` requests in this long. */
const RATE_LIMIT_WINDOW_MS = 60_000;

/** The realm of every 401's challenge. */
const TASKS_REALM = "tasks";

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
function pathOf(target: string): string {
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

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, pool } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: options.logger ?? defaultLogger(config),
    bodyLimit: BODY_LIMIT_BYTES,
    // `__proto__` and `constructor.prototype` keys are valid JSON: like any other unknown field they
    // change nothing (the schema drops them), rather than making the body "not valid JSON".
    onProtoPoisoning: "remove",
    onConstructorPoisoning: "remove",
    requestIdHeader: "x-request-id",
    // Fastify's own 503 while closing is plain JSON; ours (below) is a problem document.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    // A request refused before routing (oversized headers, a malformed request line) is
    // answered with Connection: close, so a keep-alive client never reuses a dead socket.
    clientErrorHandler: answerClientError,
    // Node answers an HTTP/1.1 request without Host itself, with a bare 400: it is ours to answer
    // (with a problem document, below).
    http: {
      requireHostHeader: false,
      // Here, not only as Fastify's `requestTimeout` (which it sets once the server is made): set on the
      // server after it was made, Node 20 let a body that never came keep its connection (tried here).
      requestTimeout: requestTimeoutMs,
      // How often Node looks for requests past their time (30 s by default, which would double it).
      connectionsCheckingInterval: Math.min(5_000, requestTimeoutMs / 2),
    },
    requestTimeout: requestTimeoutMs,
    // Errors the router raises before any route runs get the same problem shape.
    // An over-long path segment can be no task id, so it is a plain 404.
    frameworkErrors: (error, _request, reply) =>
      sendProblem(
        reply,
        error.code === "FST_ERR_MAX_PARAM_LENGTH"
          ? new HttpProblem(404, "There is no such resource.")
          : new HttpProblem(400, "The request URL is malformed."),
      ),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Only JSON bodies are accepted; Fastify's text/plain parser would let a
  // text body reach validation as a string (422) instead of being a 415.
  app.removeContentTypeParser("text/plain");
  // JSON is UTF-8 (RFC 8259): Fastify's parser decoded any bytes as UTF-8 whatever the charset said, and
  // bytes that are not UTF-8 as U+FFFD, so a Latin-1 "Café" was stored as "Caf\uFFFD" with a 201.
  // Now another charset is a 415, and bytes that are not UTF-8 a 400, with nothing stored.
  const parseJsonText = app.getDefaultJsonParser("remove", "remove");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers["content-type"] ?? "")?.[1];
    if (charset !== undefined && charset.toLowerCase() !== "utf-8" && charset.toLowerCase() !== "utf8") {
      return done(new HttpProblem(415, "Send the body as JSON in UTF-8 (charset=utf-8, or no charset)."), undefined);
    }
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new HttpProblem(400, "The request body is not valid UTF-8."), undefined);
    }
    parseJsonText(request, text, done);
  });

  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error as Error, request)));
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, new HttpProblem(404, "There is no such resource.")));

  // HTTP/1.1 requires a Host header (RFC 9112): without one, a 400 like any malformed request.
  app.addHook("onRequest", async (request, reply) => {
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
      reply.header("connection", "close");
      return sendProblem(reply, new HttpProblem(400, "The request has no Host header."));
    }
  });

  // Set in preClose, below.
  let shuttingDown = false;
  /** Connections on which a request arrived after the shutdown began (pipelined): its 503 closes them. */
  const askedWhileShuttingDown = new WeakSet<object>();
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    // Tasks are private: no shared cache, no browser cache keeps them.
    if (pathOf(request.url).startsWith("/api/")) reply.header("cache-control", "no-store");
    // A request under way when the shutdown began: its connection closes once it is answered (unless
    // another request waits on it, whose 503 closes it). Kept alive, it would hold the server's close
    // (and the pool's) until keepAliveTimeout, 72 s.
    // (HTTP/1 only: HTTP/2 has no such header.)
    const socket = request.raw.socket;
    if (shuttingDown && request.raw.httpVersionMajor < 2 && !askedWhileShuttingDown.has(socket)) {
      reply.header("connection", "close");
    }
  });

  await app.register(cors, {
    origin: config.corsOrigins,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
    exposedHeaders: ["ETag", "Location", "X-Total-Count", "Retry-After"],
    maxAge: 600,
    // A bare OPTIONS (no Origin) gets an empty 204, not a text/plain 400.
    strictPreflight: false,
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

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tasks API",
        version: "1.0.0",
        description: "Per-user task CRUD. Every task route needs a Bearer access token issued by the web app.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // The one HTML the API serves: under the plugin's own CSP (its scripts by hash), framed by no one,
  // with the inline styles Swagger UI adds as it draws (styles only: scripts stay by hash), and
  // without upgrade-insecure-requests, which would send a plain-http API's page to https.
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: true,
    transformStaticCSP: (policy) =>
      policy
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace(/\s*upgrade-insecure-requests;/, ""),
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  const verifyAccessToken = createAccessTokenVerifier(config.auth);
  const revocations = await startRevocationFeed(app, options);
  // Ready means able to serve the task routes: a load balancer that reads it sends no requests here
  // while they would all be 503s, whether the requests' pool or the feed of sign-outs is cut off.
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await pool.query("SELECT 1");
    } catch {
      return sendProblem(reply, new HttpProblem(503, "The database is not answering."));
    }
    // (A feed asleep for want of requests reads as the next one comes: that is ready.)
    if (!revocations.isCurrent() && !revocations.isAsleep()) {
      return sendProblem(reply, signOutsUncheckable());
    }
    return { status: "ok" };
  });
  // The task routes, in their own scope: its hooks and rate limit apply to
  // them and to nothing else (health checks and docs stay open).
  await app.register(async (scope) => {
    scope.addHook("onRequest", createAuthenticateHook(verifyAccessToken, revocations, TASKS_REALM));
    if (config.rateLimitPerMinute > 0) {
      const counts = new SharedRateLimitCounts(
        pool,
        RATE_LIMIT_WINDOW_MS,
        (error) => app.log.error({ err: loggableError(error) }, "the rate limit's counts could not be shared"),
        options.rateLimitRoundMs,
      );
      counts.start();
      scope.addHook("onClose", () => counts.stop());
      await scope.register(rateLimit, {
        max: config.rateLimitPerMinute,
        timeWindow: RATE_LIMIT_WINDOW_MS,
        // Counted across every API process (shared-rate-limit.ts), not per process.
        store: counts.storeClass(),
        // Per user, after authentication (onRequest), before the body is read.
        hook: "preParsing",
        keyGenerator: (request) => request.userId,
        errorResponseBuilder: (_request, context) =>
          new HttpProblem(429, `Too many requests: at most ${context.max} a minute. Try again in ${context.after}.`),
      });
    }
    const repository = new TasksRepository(drizzle(pool), createBatchLimits(pool));
    const { maxRunning, maxWaiting, maxWaitMs } = options.listSlots ?? listSlotsFor(config.databasePoolMax);
    const listSlots = new PerUserSlots(maxRunning, maxWaiting, maxWaitMs);
    await scope.register(tasksRoutes, { repository, listSlots });
  });

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

  return app;
}

/** Starts the feed of ended sessions on its own connection; it stops (and that connection closes) with the app. */
async function startRevocationFeed(app: FastifyInstance, options: AppOptions): Promise<RevocationFeed> {
  const ownPool = options.revocationPool
    ? undefined
    : createPool(options.config.databaseUrl ?? "", {
        // The reads, and the purge beside them (revocation-feed.ts).
        max: 2,
        applicationName: "tasks-api-revocations",
        oneStatementPerLoan: true,
      });
  const feed = new RevocationFeed(options.revocationPool ?? (ownPool as pg.Pool), app.log, {
    idleAfterMs: options.revocationIdleAfterMs,
  });
  await feed.start();
  app.addHook("onClose", async () => {
    feed.stop();
    await ownPool?.end();
  });
  return feed;
}

/**
 * Node's parser refused the request before Fastify saw it. Fastify's own
 * handler answers without `Connection: close` and then destroys the socket,
 * so a keep-alive client's next request on it fails with ECONNRESET (behind
 * a load balancer: a 502). Ours says it closes, then closes gracefully.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
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

function defaultLogger(config: ApiConfig): FastifyServerOptions["logger"] {
  return {
    level: config.logLevel,
    // Tokens and task contents never reach the log: the request line keeps
    // the path only (a search `q` is the user's text) and no headers.
    serializers: {
      req: (request) => ({ method: request.method, path: request.url.split("?")[0], remote: request.ip }),
    },
  };
}

const NO_BODY_DETAIL = "The request has no body: send the task as JSON with Content-Type: application/json.";

/** Every error becomes a problem document with the contract's status. */
function toProblem(error: FastifyError | Error, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const log = request.log;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext;
    const errors = error.validation.map((issue) => ({
      path: issue.instancePath.replace(/^\//, "").replaceAll("/", ".") || where || "",
      message: issue.message ?? "is invalid",
    }));
    // No body at all (nor a Content-Type, so Fastify parsed nothing) is not JSON: 400, as an empty
    // body sent as JSON is. A body that is valid JSON but breaks the schema is 422; a bad query, 400.
    if (where === "body" && request.body === undefined) return new HttpProblem(400, NO_BODY_DETAIL);
    if (where === "body") return new HttpProblem(422, "The task is not valid.", { errors });
    return new HttpProblem(400, `Invalid ${where === "querystring" ? "query parameters" : "request"}.`, { errors });
  }
  const code = (error as FastifyError).code;
  switch (code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new HttpProblem(400, "The request body is not valid JSON.");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpProblem(400, NO_BODY_DETAIL);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpProblem(413, `The request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB.`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new HttpProblem(415, "Send the body as JSON with Content-Type: application/json.");
  }
  const databaseCode = databaseErrorCode(error);
  if (databaseCode === "23503") {
    // The token is still valid but its user was deleted since it was issued.
    return new HttpProblem(401, "This account no longer exists.", {
      headers: { "www-authenticate": bearerChallenge(TASKS_REALM, "invalid_token") },
    });
  }
  if (isDatabaseUnavailable(error)) {
    log.warn({ code: databaseCode }, "database unavailable");
    return new HttpProblem(503, unavailableDetail(request.method, error), { headers: { "retry-after": "5" } });
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new HttpProblem(status, problemBody(status, "").title);
  // Never the statement's parameters or the row (loggableError): task text stays out of the log.
  log.error({ err: loggableError(error) }, "unexpected error");
  return new HttpProblem(500, "Something went wrong on our side.");
}

/**
 * What a 503 can truly say about a write: nothing changed when its statement
 * cannot have run; when the connection was lost while it was out, the
 * database may have committed it (a write is whole or nothing, never half),
 * so the client should look before repeating it.
 */
function unavailableDetail(method: string, error: Error): string {
  if (method === "GET" || method === "HEAD") return "The database is not available right now. Try again shortly.";
  if (statementCannotHaveRun(error)) {
    return "The database is not available right now; nothing was changed. Try again shortly.";
  }
  return (
    "The connection to the database was lost while this change was being made, so it was made whole or " +
    "not at all. Reload your tasks to see which before repeating it."
  );
}
