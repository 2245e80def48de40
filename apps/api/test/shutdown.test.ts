/**
 * While the API shuts down (a deploy, a scale-in), a request that still
 * reaches it on a connection that was busy when the shutdown began gets a
 * 503 problem document with Retry-After and Connection: close (so the client
 * or load balancer goes elsewhere), and the request already under way ends
 * normally, its connection closed once it is answered.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { setup } from "./helper";

// One connection in the pool, so that the test can hold the first request at the database.
const ctx = await setup({}, { max: 1 });

test("a request arriving during shutdown is a 503 problem document; the one under way finishes", async () => {
  const user = await ctx.newUser();
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = ctx.app.server.address() as net.AddressInfo;
  const request = (connection: string) =>
    `GET /api/${user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\nConnection: ${connection}\r\n\r\n`;

  let requestsSeen = 0;
  ctx.app.server.on("request", () => requestsSeen++);
  const until = async (what: string, done: () => boolean) => {
    for (const started = Date.now(); !done(); await sleep(10)) {
      assert.ok(Date.now() - started < 5_000, `timed out waiting until ${what}`);
    }
  };

  const held = await ctx.pool.connect(); // the first request waits for it
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk.toString();
  });
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(request("keep-alive"));
  await until("the first request waits for the database", () => ctx.pool.waitingCount === 1);
  const closing = ctx.app.close();
  socket.write(request("keep-alive")); // on a connection that is busy, so not closed at once
  await until("the second request has arrived", () => requestsSeen === 2);
  held.release();
  await Promise.race([ended, sleep(5_000)]);
  await closing;
  socket.destroy();

  const answers = received.split(/(?=HTTP\/1\.1 )/);
  assert.equal(answers.length, 2, received);
  assert.match(answers[0] ?? "", /^HTTP\/1\.1 200 /, "the request under way finished");
  const [head = "", body = ""] = (answers[1] ?? "").split("\r\n\r\n");
  assert.match(head, /^HTTP\/1\.1 503 /);
  assert.match(head, /\r\ncontent-type: application\/problem\+json/i);
  assert.match(head, /\r\nretry-after: \d+/i);
  assert.match(head, /\r\nconnection: close/i);
  const problem = JSON.parse(body) as Record<string, unknown>;
  assert.equal(problem.status, 503);
  assert.match(String(problem.detail), /shutting down/);
});

test("a request under way when the shutdown begins is answered with Connection: close, and the shutdown does not wait for its connection", async () => {
  const other = await setup({}, { max: 1 });
  const user = await other.newUser();
  await other.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = other.app.server.address() as net.AddressInfo;
  const held = await other.pool.connect(); // the request waits for it
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk.toString();
  });
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(
    `GET /api/${user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\nConnection: keep-alive\r\n\r\n`,
  );
  for (const started = Date.now(); other.pool.waitingCount !== 1; await sleep(10)) {
    assert.ok(Date.now() - started < 5_000, "timed out waiting for the request to wait for the database");
  }
  const closing = other.app.close();
  held.release();
  // Without Connection: close the client keeps the connection, and the server waits for it to go
  // idle for keepAliveTimeout (72 s) before its close can end.
  const outcome = await Promise.race([
    Promise.all([ended, closing]).then(() => "closed"),
    sleep(5_000).then(() => "still open"),
  ]);
  socket.destroy();
  assert.equal(outcome, "closed", received);
  assert.match(received, /^HTTP\/1\.1 200 /, "the request under way finished");
  assert.match(received.split("\r\n\r\n")[0] ?? "", /\r\nconnection: close/i);
});
