import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createPool } from "@tasks/db";
import { loadConfig } from "../src/config";
import { SharedRateLimitCounts } from "../src/shared-rate-limit";
import {
  assertProblem,
  bearer,
  captureQueries,
  createTask,
  databaseUrl,
  mintToken,
  setup,
  startTestApi,
  storedTasks,
} from "./helper";

describe("rate limit (contract: 429 with Retry-After, per user)", async () => {
  const ctx = await setup({ API_RATE_LIMIT: "5", CORS_ORIGINS: "http://localhost:3000" });

  test("the 6th request in a minute is 429 with Retry-After; another user is not affected", async () => {
    const busy = await ctx.newUser();
    const calm = await ctx.newUser();
    const list = (user: typeof busy) =>
      ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
    for (let i = 0; i < 5; i++) assert.equal((await list(busy)).statusCode, 200);
    const limited = await list(busy);
    assert.equal(limited.statusCode, 429);
    assert.match(String(limited.headers["content-type"]), /^application\/problem\+json/);
    assert.ok(Number(limited.headers["retry-after"]) > 0);
    const write = await ctx.app.inject({
      method: "POST",
      url: `/api/${busy.id}/tasks`,
      headers: { ...busy.auth, origin: "http://localhost:3000" },
      payload: { title: "over the limit" },
    });
    assert.equal(write.statusCode, 429);
    // The web app's page may read how long to wait.
    assert.equal(write.headers["access-control-allow-origin"], "http://localhost:3000");
    assert.match(String(write.headers["access-control-expose-headers"]), /Retry-After/);
    assert.ok(Number(write.headers["retry-after"]) > 0);
    assert.deepEqual(await storedTasks(ctx.pool, busy.id), []);
    assert.equal((await list(calm)).statusCode, 200);
  });

  test("a process with no counts sends the database nothing (a serverless database can sleep)", async () => {
    const pool = createPool(databaseUrl(), { max: 1 });
    let statements = 0;
    pool.on("acquire", () => statements++); // a connection lent per statement
    // A window of 300 ms and rounds of 50 ms: the minute and the second of the product, shortened.
    const counts = new SharedRateLimitCounts(pool, 300, (error) => assert.fail(String(error)), 50);
    // Connected first, so that a round's statement does not wait for a new backend.
    await pool.query("SELECT 1");
    counts.start();
    try {
      const before = statements;
      counts.incr(randomUUID(), () => {});
      for (const deadline = Date.now() + 5_000; statements === before; await sleep(20)) {
        assert.ok(Date.now() < deadline, "while its window lasts, the count is shared");
      }
      // The window is over once two of its lengths go by with nothing sent (a slow round may end late).
      let idle = statements;
      for (let quiet = 0, deadline = Date.now() + 5_000; quiet < 2; ) {
        await sleep(300);
        assert.ok(Date.now() < deadline, "it stops sending once the window is over");
        quiet = statements === idle ? quiet + 1 : 0;
        idle = statements;
      }
      await sleep(1_000); // three windows: the cleanup would have run three times
      assert.equal(statements, idle, "nothing sent once no window is left");
    } finally {
      await counts.stop();
      await pool.end();
    }
  });

  test("across API processes it is one limit: what each counted reaches the others within a round", async () => {
    // Two more processes over the same database and keys, sharing their counts every 100 ms.
    const processes = await Promise.all(
      [0, 1].map(async () => {
        const api = await startTestApi(ctx.jwks.url, { API_RATE_LIMIT: "5" }, { max: 4 }, { rateLimitRoundMs: 100 });
        after(api.close);
        return api.app;
      }),
    );
    const user = await ctx.newUser();
    const list = (app: (typeof processes)[number]) =>
      app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
    // Three on each: six in all, though each process alone has counted three.
    for (const app of processes) for (let i = 0; i < 3; i++) await list(app);
    // Once the database holds all six, a few rounds later each process has read the sum back.
    const summed = async () =>
      (await ctx.pool.query("SELECT requests FROM api_request_counts WHERE user_id = $1", [user.id])).rows[0]?.requests;
    for (const started = Date.now(); (await summed()) !== 6; ) {
      assert.ok(Date.now() - started < 10_000, `the six requests were not all summed: ${await summed()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const app of processes) {
      const limited = await list(app);
      assert.equal(limited.statusCode, 429, "the 7th request of the minute, wherever it goes");
      assert.ok(
        Number(limited.headers["retry-after"]) > 50,
        `the minute began with the first: ${limited.headers["retry-after"]}`,
      );
    }
  });
});

describe("the service around the routes", async () => {
  const ctx = await setup({ CORS_ORIGINS: "http://localhost:3000" });

  test("API_RATE_LIMIT=0 turns the limit off: more requests than the default 600 a minute, none refused", async () => {
    // This file's API runs with the helper's API_RATE_LIMIT of 0.
    const user = await ctx.newUser();
    const statuses = new Set<number>();
    for (let sent = 0; sent < 650; sent += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth }),
        ),
      );
      for (const answer of answers) statuses.add(answer.statusCode);
    }
    assert.deepEqual([...statuses], [200]);
  });

  test("CORS: the web app's origin may send Authorization, Content-Type, If-Match and read ETag, Location, X-Total-Count, Retry-After", async () => {
    const preflight = await ctx.app.inject({
      method: "OPTIONS",
      url: `/api/${crypto.randomUUID()}/tasks`,
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization,content-type,if-match",
      },
    });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers["access-control-allow-origin"], "http://localhost:3000");
    assert.match(
      String(preflight.headers["access-control-allow-headers"]),
      /Authorization.*Content-Type.*If-Match.*If-None-Match/,
    );
    // Every method of the contract's routes, PUT too (the web app sends none yet, another client may).
    const allowed = String(preflight.headers["access-control-allow-methods"]).split(/,\s*/);
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) assert.ok(allowed.includes(method), method);

    const user = await ctx.newUser();
    const response = await ctx.app.inject({
      method: "GET",
      url: `/api/${user.id}/tasks`,
      headers: { ...user.auth, origin: "http://localhost:3000" },
    });
    assert.equal(response.headers["access-control-allow-origin"], "http://localhost:3000");
    for (const name of ["ETag", "Location", "X-Total-Count", "Retry-After"]) {
      assert.match(String(response.headers["access-control-expose-headers"]), new RegExp(name));
    }
  });

  test("CORS: any other origin gets no CORS headers", async () => {
    const user = await ctx.newUser();
    const response = await ctx.app.inject({
      method: "GET",
      url: `/api/${user.id}/tasks`,
      headers: { ...user.auth, origin: "https://evil.example" },
    });
    assert.equal(response.headers["access-control-allow-origin"], undefined);
    // Nor does its preflight: the browser then sends nothing.
    const preflight = await ctx.app.inject({
      method: "OPTIONS",
      url: `/api/${user.id}/tasks`,
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    assert.equal(preflight.headers["access-control-allow-origin"], undefined);
  });

  test("a valid token whose user was deleted is refused, and nothing is stored", async () => {
    const user = await ctx.newUser();
    await createTask(ctx.app, user);
    // A session the feed of ended ones never names: what refuses it is the account being gone.
    const token = await mintToken({ key: ctx.key, claims: { sub: user.id, sid: randomUUID() } });
    await ctx.pool.query("DELETE FROM users WHERE id = $1", [user.id]);
    assert.deepEqual(await storedTasks(ctx.pool, user.id), [], "tasks go with their user");
    const response = await ctx.app.inject({
      method: "POST",
      url: `/api/${user.id}/tasks`,
      headers: bearer(token),
      payload: { title: "orphan" },
    });
    assert.match(String(assertProblem(response, 401).detail), /no longer exists/);
    assert.match(String(response.headers["www-authenticate"]), /error="invalid_token"/);
    assert.deepEqual(await storedTasks(ctx.pool, user.id), []);
  });

  test("/healthz and /readyz answer without a token", async () => {
    assert.equal((await ctx.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    assert.equal((await ctx.app.inject({ method: "GET", url: "/readyz" })).statusCode, 200);
  });

  test("probes of /readyz that come together share one look at the database, not a connection each", async () => {
    // The requests' pool all taken for a moment: every probe that comes meanwhile waits for it.
    const max = ctx.pool.options.max ?? 10;
    const held = await Promise.all(Array.from({ length: max }, () => ctx.pool.connect()));
    let answers: Promise<{ statusCode: number }[]> | undefined;
    let waiting = 0;
    const statements = await captureQueries(ctx.pool, async () => {
      answers = Promise.all(Array.from({ length: 50 }, () => ctx.app.inject({ method: "GET", url: "/readyz" })));
      await sleep(200);
      waiting = ctx.pool.waitingCount;
      for (const client of held) client.release();
      await answers;
    });
    assert.ok(waiting <= 1, `${waiting} waiting for a connection`);
    assert.deepEqual(
      (await answers)?.map((answer) => answer.statusCode),
      Array(50).fill(200),
    );
    assert.equal(statements.filter((statement) => statement.text === "SELECT 1").length, 1);
  });

  test("/openapi.json is an OpenAPI 3.1 document of every task route; /docs renders it", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, "3.1.0");
    assert.deepEqual(Object.keys(document.paths).sort(), [
      "/api/{user_id}/tasks",
      "/api/{user_id}/tasks/{id}",
      "/api/{user_id}/tasks/{id}/complete",
    ]);
    assert.deepEqual(Object.keys(document.paths["/api/{user_id}/tasks/{id}"]).sort(), [
      "delete",
      "get",
      "patch",
      "put",
    ]);
    const create = document.paths["/api/{user_id}/tasks"].post;
    assert.ok(create.requestBody, "the create body is documented");
    assert.ok(create.responses["201"], "the 201 is documented");
    // As sent: problems as application/problem+json, the headers a client reads, numbers as numbers.
    assert.deepEqual(Object.keys(create.responses["422"].content), ["application/problem+json"]);
    assert.equal(create.responses["422"].description, "Unprocessable Content");
    assert.deepEqual(Object.keys(create.responses["201"].content), ["application/json"]);
    assert.deepEqual(Object.keys(create.responses["201"].headers).sort(), ["Cache-Control", "ETag", "Location"]);
    assert.ok(create.responses["401"].headers["WWW-Authenticate"]);
    assert.ok(create.responses["429"].headers["Retry-After"]);
    assert.ok(create.responses["503"].headers["Retry-After"]);
    const list = document.paths["/api/{user_id}/tasks"].get;
    assert.deepEqual(Object.keys(list.responses["200"].headers), ["Cache-Control", "X-Total-Count", "ETag"]);
    assert.deepEqual(Object.keys(list.responses["304"].headers), ["Cache-Control", "ETag", "X-Total-Count"]);
    const parameter = (name: string) => list.parameters.find((each: { name: string }) => each.name === name);
    assert.deepEqual(parameter("limit").schema, { type: "integer", minimum: 1, maximum: 100, default: 50 });
    assert.equal(parameter("q").schema.maxLength, 1000);
    assert.match(parameter("order").description, /desc.*created/);
    const read = document.paths["/api/{user_id}/tasks/{id}"].get;
    assert.deepEqual(Object.keys(read.responses["200"].headers), ["Cache-Control", "ETag"]);
    for (const [path, operations] of Object.entries(document.paths) as [string, Record<string, never>][]) {
      for (const [method, { responses }] of Object.entries(operations) as [string, { responses: object }][]) {
        // Every task route answers a query it cannot read (a broken %-escape) with a 400.
        assert.ok("400" in responses, `${method} ${path} documents its 400`);
        for (const [status, { content }] of Object.entries(responses) as [string, { content?: object }][]) {
          if (Number(status) >= 400) {
            assert.deepEqual(Object.keys(content ?? {}), ["application/problem+json"], `${method} ${path} ${status}`);
          }
        }
      }
    }
    const docs = await ctx.app.inject({ method: "GET", url: "/docs" });
    assert.equal(docs.statusCode, 200);
    assert.match(String(docs.headers["content-type"]), /^text\/html/);
    assert.match(docs.body, /swagger-ui/i);
    // Its own CSP: scripts by hash, framed by no one.
    const policy = String(docs.headers["content-security-policy"]);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.match(policy, /object-src 'none'/);
    assert.doesNotMatch(policy, /script-src[^;]*'unsafe-(inline|eval)'/);
  });

  test("unknown paths are a 404 problem", async () => {
    const response = await ctx.app.inject({ method: "GET", url: "/nowhere" });
    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  });
});

describe("the log's request ids", async () => {
  const lines: string[] = [];
  const ctx = await setup({}, {}, undefined, { level: "info", stream: { write: (line: string) => lines.push(line) } });
  const loggedIds = async (id: string) => {
    lines.length = 0;
    await ctx.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": id } });
    return [...new Set(lines.map((line) => (JSON.parse(line) as { reqId?: string }).reqId))];
  };

  test("the log's request id is the API's own: a client's X-Request-Id (long, another's, any) does not name its lines", async () => {
    for (const id of ["x".repeat(8000), "req-1", "lb-5f3a9c2e"]) {
      const [logged, ...others] = await loggedIds(id);
      assert.deepEqual(others, [], "one id for the request's lines");
      assert.ok(logged && logged !== id && /^[0-9a-f-]{36}$/.test(logged), `a new id, not ${id.slice(0, 20)}`);
    }
  });
});

describe("configuration (contract: environment variables)", () => {
  test("defaults follow the contract", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://localhost/x" });
    assert.equal(config.port, 8000);
    assert.equal(config.databasePoolMax, 10);
    assert.equal(config.auth.jwksUrl, "http://localhost:3000/api/auth/jwks");
    assert.equal(config.auth.issuer, "http://localhost:3000");
    assert.equal(config.auth.audience, "http://localhost:8000");
    assert.deepEqual(config.corsOrigins, ["http://localhost:3000"]);
    assert.equal(config.rateLimitPerMinute, 600);
    assert.deepEqual(config.developmentDefaults, ["BETTER_AUTH_URL", "API_URL"], "said at start-up");
    const standIns = {
      AUTH_ISSUER: "https://a.example",
      AUTH_JWKS_URL: "https://a.example/k",
      CORS_ORIGINS: "https://a.example",
    };
    assert.deepEqual(loadConfig({ ...standIns, AUTH_AUDIENCE: "https://api.example" }).developmentDefaults, []);
    assert.deepEqual(
      loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://h/x", ...standIns, AUTH_AUDIENCE: "x" })
        .developmentDefaults,
      [],
    );
  });

  test("derived values follow BETTER_AUTH_URL and API_URL", () => {
    const config = loadConfig({ BETTER_AUTH_URL: "https://tasks.example", API_URL: "https://api.tasks.example" });
    assert.equal(config.auth.jwksUrl, "https://tasks.example/api/auth/jwks");
    assert.equal(config.auth.issuer, "https://tasks.example");
    assert.equal(config.auth.audience, "https://api.tasks.example");
    assert.deepEqual(config.corsOrigins, ["https://tasks.example"]);
  });

  test("a variable of spaces alone counts as unset, as an empty one does: no number read as 0", () => {
    const config = loadConfig({ API_RATE_LIMIT: " ", PORT: "  ", DATABASE_POOL_MAX: "\t", BETTER_AUTH_URL: " " });
    assert.equal(config.rateLimitPerMinute, 600, "the limit stays on");
    assert.equal(config.port, 8000);
    assert.equal(config.auth.issuer, "http://localhost:3000");
    assert.deepEqual(loadConfig({ API_RATE_LIMIT: "" }).rateLimitPerMinute, 600);
  });

  test("bad values are errors naming the variable", () => {
    assert.throws(() => loadConfig({ PORT: "eighty" }), /PORT/);
    assert.throws(() => loadConfig({ AUTH_JWKS_URL: "not a url" }), /AUTH_JWKS_URL/);
    assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }), /DATABASE_URL/);
    assert.throws(() => loadConfig({ CORS_ORIGINS: "https://a.example/path" }), /CORS_ORIGINS/);
    assert.throws(() => loadConfig({ NODE_ENV: "production" }), /DATABASE_URL: required in production/);
  });

  test("production uses no development address: the web app's and the API's origins, or what they stand for", () => {
    const production = { NODE_ENV: "production", DATABASE_URL: "postgres://db.example/tasks" };
    assert.throws(() => loadConfig(production), /BETTER_AUTH_URL: required in production[\s\S]*API_URL: required/);
    assert.throws(
      () =>
        loadConfig({ ...production, BETTER_AUTH_URL: "https://tasks.example", AUTH_ISSUER: "https://tasks.example" }),
      /API_URL: required/,
    );
    const origins = { BETTER_AUTH_URL: "https://tasks.example", API_URL: "https://api.tasks.example" };
    assert.equal(loadConfig({ ...production, ...origins }).auth.audience, "https://api.tasks.example");
    const explicit = {
      AUTH_ISSUER: "https://tasks.example",
      AUTH_JWKS_URL: "https://tasks.example/api/auth/jwks",
      CORS_ORIGINS: "https://tasks.example",
      AUTH_AUDIENCE: "https://api.tasks.example",
    };
    assert.equal(loadConfig({ ...production, ...explicit }).auth.issuer, "https://tasks.example");
    assert.throws(() => loadConfig({ ...production, ...explicit, CORS_ORIGINS: "" }), /unless CORS_ORIGINS are set/);
  });
});
