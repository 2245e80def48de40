/**
 * Builds the Task API (without listening, so tests can `inject`): plugins,
 * the error shape, health checks, the OpenAPI document, then the task routes
 * behind authentication. server.ts is what listens.
 */

import { randomUUID } from "node:crypto";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { createPool, loggableError } from "@tasks/db";
import { drizzle } from "drizzle-orm/node-postgres";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type pg from "pg";
import { createAuthenticateHook, signOutsUncheckable, TASKS_REALM } from "./auth/authenticate";
import { RevocationFeed } from "./auth/revocation-feed";
import { createAccessTokenVerifier } from "./auth/verify-access-token";
import type { ApiConfig } from "./config";
import { answerClientError, answerEveryOtherMethod, pathOf } from "./http-edges";
import { acceptUtf8JsonOnly } from "./json-body";
import { BODY_LIMIT_BYTES, CONNECTION_IDLE_TIMEOUT_MS, RATE_LIMIT_WINDOW_MS, REQUEST_TIMEOUT_MS } from "./limits";
import { describeHttp } from "./openapi-document";
import { HttpProblem, sendProblem } from "./problem";
import { SharedRateLimitCounts } from "./shared-rate-limit";
import { shutDownGracefully } from "./shutdown";
import { createBatchLimits } from "./tasks/create-batches";
import { PerUserSlots } from "./tasks/per-user-slots";
import { TasksRepository } from "./tasks/tasks-repository";
import { tasksRoutes } from "./tasks/tasks-routes";
import { toProblem } from "./to-problem";

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
  /** How long a connection on which nothing moves stays open (ms; tests shorten it). */
  connectionIdleTimeoutMs?: number;
  /** How many lists of one person run at once, and wait their turn (per-user-slots.ts; tests lower it). */
  listSlots?: { maxRunning: number; maxWaiting: number; maxWaitMs: number };
}

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

/**
 * `check`, shared by whoever asks while it runs: probes of /readyz (it needs no token, and a client
 * may pipeline thousands) take one connection of the requests' pool between them, not one each,
 * which would queue every task statement behind them into its 503, and /readyz with them.
 */
function oneAtATime<T>(check: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };
}

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
    // Each request's id in the log is ours, a UUID: a client's X-Request-Id (8,000 characters, or
    // another request's id) named every line of its request.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
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
    connectionTimeout: options.connectionIdleTimeoutMs ?? CONNECTION_IDLE_TIMEOUT_MS,
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
  acceptUtf8JsonOnly(app);

  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error as Error, request)));
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, new HttpProblem(404, "There is no such resource.")));

  // HTTP/1.1 requires a Host header (RFC 9112): without one, a 400 like any malformed request.
  app.addHook("onRequest", async (request, reply) => {
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
      reply.header("connection", "close");
      return sendProblem(reply, new HttpProblem(400, "The request has no Host header."));
    }
  });

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    // Tasks are private: no shared cache, no browser cache keeps them.
    if (pathOf(request.url).startsWith("/api/")) reply.header("cache-control", "no-store");
  });

  await app.register(cors, {
    origin: config.corsOrigins,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
    exposedHeaders: ["ETag", "Location", "X-Total-Count", "Retry-After"],
    maxAge: 600,
    // A bare OPTIONS (no Origin) gets an empty 204, not a text/plain 400.
    strictPreflight: false,
  });

  // After CORS, so that a browser can read why a request is turned away.
  shutDownGracefully(app, requestTimeoutMs);

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
    transformObject: (input) => describeHttp(jsonSchemaTransformObject(input)),
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
  const databaseAnswers = oneAtATime(() =>
    pool.query("SELECT 1").then(
      () => true,
      () => false,
    ),
  );
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    if (!(await databaseAnswers())) {
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

  await answerEveryOtherMethod(app);

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
