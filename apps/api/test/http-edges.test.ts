/**
 * The contract's "Errors" at the edges of HTTP, over a real socket: a request
 * refused before routing says `Connection: close` and closes cleanly (a
 * keep-alive client's next request works, never ECONNRESET); any method a
 * route lacks, TRACE and CONNECT included, is 405 with `Allow`; every response, the
 * router's own errors included, carries `X-Content-Type-Options: nosniff`.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { type AddressInfo, connect } from "node:net";
import { after, test } from "node:test";
import { assertProblem, createTask, setup, storedTasks } from "./helper";

const ctx = await setup();
await ctx.app.listen({ port: 0, host: "127.0.0.1" });
const port = (ctx.app.server.address() as AddressInfo).port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
after(() => agent.destroy());

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent, headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on("error", reject);
  });
}

test("a 100 KB header is 431 with Connection: close; the same keep-alive agent's next request is 200", async () => {
  assert.equal((await get("/healthz")).status, 200, "the agent has a kept-alive socket");
  const refused = await get("/healthz", { "x-padding": "a".repeat(100_000) });
  assert.equal(refused.status, 431);
  assert.equal(refused.headers.connection, "close");
  assert.equal(refused.headers["x-content-type-options"], "nosniff");
  assert.equal(JSON.parse(refused.body).status, 431);
  assert.equal(JSON.parse(refused.body).title, "Request Header Fields Too Large");
  const next = await get("/healthz");
  assert.equal(next.status, 200, "no ECONNRESET on the next request");
});

/**
 * Sends `request` as it is over a socket of its own; what came back, and how
 * the connection ended ("end" when the server closed it cleanly, else the error's code).
 */
async function rawExchange(request: string): Promise<{ received: string; outcome: string }> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  const outcome = await new Promise<string>((resolve) => {
    socket.on("end", () => resolve("end"));
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    socket.write(request);
  });
  socket.destroy();
  return { received, outcome };
}

test("a request without Host (HTTP/1.1) and one with an Expect other than 100-continue: problem documents, and the connection closes", async () => {
  for (const [request, status] of [
    ["GET /healthz HTTP/1.1\r\n\r\n", 400],
    [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nExpect: something-else\r\n\r\n`, 417],
  ] as const) {
    const { received, outcome } = await rawExchange(request);
    assert.match(received, new RegExp(`^HTTP/1\\.1 ${status} `), received);
    assert.match(received, /\r\ncontent-type: application\/problem\+json/i, received);
    assert.match(received, /\r\nconnection: close\r\n/i, received);
    assert.match(received, new RegExp(`"status":${status}`), received);
    assert.equal(outcome, "end");
  }
  // HTTP/1.0 needs no Host.
  assert.match((await rawExchange("GET /healthz HTTP/1.0\r\n\r\n")).received, /^HTTP\/1\.1 200 /);
});

test("a malformed request line is 400 with Connection: close, and the socket ends cleanly (no reset)", async () => {
  const { received, outcome } = await rawExchange("THIS IS NOT HTTP\r\n\r\n");
  assert.equal(outcome, "end");
  assert.match(received, /^HTTP\/1\.1 400 /);
  assert.match(received, /\r\nConnection: close\r\n/i);
  assert.match(received, /application\/problem\+json/);
});

// (A time limit: a server waiting for an answer that never comes would hold the connection open.)
test("a malformed request pipelined behind a create is answered after it: the 201 comes first, then the 400, and the task is there", {
  timeout: 20_000,
}, async () => {
  const user = await ctx.newUser();
  const body = JSON.stringify({ title: "Sent before the garbage" });
  const create = [
    `POST /api/${user.id}/tasks HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: ${user.auth.authorization}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
  // Two creates and a list ahead of the garbage: every answer in flight goes out, in order, before the 400.
  const list = `GET /api/${user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${user.auth.authorization}\r\n\r\n`;
  const { received, outcome } = await rawExchange(`${create}${create}${list}THIS IS NOT HTTP\r\n\r\n`);
  assert.equal(outcome, "end");
  // Each answer's status line follows the last one's body on the same line: no body here holds one.
  const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
  assert.deepEqual(statuses, [201, 201, 200, 400], received);
  assert.match(received.slice(received.lastIndexOf("HTTP/1.1 400 ")), /\r\nConnection: close\r\n/i);
  const titles = (await storedTasks(ctx.pool, user.id)).map((task) => task.title);
  assert.deepEqual(titles, ["Sent before the garbage", "Sent before the garbage"]);

  // The bad request's own body is what is malformed (a chunk size that is no number), behind a
  // create: the create is answered, then the bad one at once, though its handler never gets a body.
  const badBody = [
    `POST /api/${user.id}/tasks HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: ${user.auth.authorization}`,
    "Content-Type: application/json",
    "Transfer-Encoding: chunked",
    "",
    "zz",
    "",
  ].join("\r\n");
  const second = await rawExchange(`${create}${badBody}`);
  assert.equal(second.outcome, "end");
  assert.deepEqual(
    [...second.received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1])),
    [201, 400],
    second.received,
  );
  assert.equal((await storedTasks(ctx.pool, user.id)).length, 3);
});

test("CONNECT, which Node does not route, is 405 with Allow too, and the socket ends cleanly (no reset)", async () => {
  const { received, outcome } = await rawExchange("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  assert.equal(outcome, "end");
  assert.match(received, /^HTTP\/1\.1 405 /);
  assert.match(received, /\r\nAllow: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS\r\n/);
  assert.match(received, /\r\nConnection: close\r\n/i);
  const body = JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4)) as { status: number };
  assert.equal(body.status, 405);
  assert.equal((await get("/healthz")).status, 200, "and the server goes on");
});

test("TRACE, PROPFIND and any other method a route lacks are 405 with Allow", async () => {
  const user = await ctx.newUser();
  for (const method of ["TRACE", "PROPFIND", "SEARCH", "QUERY"]) {
    const list = await ctx.app.inject({ method: method as "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
    assertProblem(list, 405);
    assert.equal(list.headers.allow, "GET, POST, HEAD, OPTIONS", method);
    const toggle = await ctx.app.inject({
      method: method as "GET",
      url: `/api/${user.id}/tasks/${crypto.randomUUID()}/complete`,
      headers: user.auth,
    });
    assertProblem(toggle, 405);
    assert.equal(toggle.headers.allow, "PATCH, OPTIONS", method);
  }
});

test("Allow names every method a route answers, and no other: a method is 405 exactly when Allow leaves it out", async () => {
  const user = await ctx.newUser();
  const task = crypto.randomUUID();
  const urls = [
    `/api/${user.id}/tasks`,
    `/api/${user.id}/tasks/${task}`,
    `/api/${user.id}/tasks/${task}/complete`,
    "/healthz",
    "/readyz",
    "/openapi.json",
    "/docs",
  ];
  for (const url of urls) {
    const refused = await ctx.app.inject({ method: "TRACE" as "GET", url, headers: user.auth });
    assertProblem(refused, 405);
    const allowed = String(refused.headers.allow).split(", ");
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      const answer = await ctx.app.inject({ method: method as "GET", url, headers: user.auth });
      assert.equal(answer.statusCode === 405, !allowed.includes(method), `${method} ${url}: ${answer.statusCode}`);
    }
  }
});

test("the unauthenticated routes have methods too: any other is 405 with Allow, and a body does not change that", async () => {
  for (const url of ["/healthz", "/readyz", "/openapi.json", "/docs"]) {
    for (const method of ["POST", "DELETE", "TRACE"]) {
      const response = await ctx.app.inject({ method: method as "GET", url });
      assertProblem(response, 405);
      assert.equal(response.headers.allow, "GET, HEAD, OPTIONS", `${method} ${url}`);
    }
  }
  const user = await ctx.newUser();
  const one = `/api/${user.id}/tasks/${crypto.randomUUID()}`;
  for (const [type, payload] of [
    ["text/plain", "x"],
    ["application/json", "{"],
  ]) {
    const response = await ctx.app.inject({
      method: "POST",
      url: one,
      headers: { ...user.auth, "content-type": type as string },
      payload,
    });
    assertProblem(response, 405);
    assert.equal(response.headers.allow, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS", `${type} body`);
  }
});

test("the router's own errors carry nosniff too (an over-long path segment is a 404)", async () => {
  const response = await ctx.app.inject({ method: "GET", url: `/api/${"a".repeat(1_000)}/tasks` });
  assertProblem(response, 404);
  assert.equal(response.headers["x-content-type-options"], "nosniff");
});

test("a request in absolute form (GET http://host/api/…), which the router routes like its path, is kept by no cache either", async () => {
  const user = await ctx.newUser();
  await createTask(ctx.app, user, { title: "Private" });
  const { received } = await rawExchange(
    `GET http://127.0.0.1:${port}/api/${user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      `Authorization: ${user.auth.authorization}\r\nConnection: close\r\n\r\n`,
  );
  assert.match(received, /^HTTP\/1\.1 200 /);
  assert.match(received, /"title" ?: ?"Private"/);
  assert.match(received, /\r\ncache-control: no-store\r\n/i);
});

test("a route that takes no body ignores any Content-Type, a malformed or empty one too, and a wrong method is 405 whatever its type", async () => {
  const user = await ctx.newUser();
  for (const type of ["json", "", "a/b/c"]) {
    const task = await createTask(ctx.app, user);
    const toggled = await ctx.app.inject({
      method: "PATCH",
      url: `/api/${user.id}/tasks/${task.id}/complete`,
      headers: { ...user.auth, "content-type": type },
      payload: "x",
    });
    assert.equal(toggled.statusCode, 200, `toggle, Content-Type ${JSON.stringify(type)}: ${toggled.body}`);
    assert.equal(toggled.json().completed, true);
    const deleted = await ctx.app.inject({
      method: "DELETE",
      url: `/api/${user.id}/tasks/${task.id}`,
      headers: { ...user.auth, "content-type": type },
    });
    assert.equal(deleted.statusCode, 204, `delete, Content-Type ${JSON.stringify(type)}: ${deleted.body}`);
    const wrong = await ctx.app.inject({
      method: "POST",
      url: `/api/${user.id}/tasks/${task.id}`,
      headers: { ...user.auth, "content-type": type },
      payload: "x",
    });
    assertProblem(wrong, 405);
  }
  assert.deepEqual(await storedTasks(ctx.pool, user.id), [], "each toggled, then deleted");
});
