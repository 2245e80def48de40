/**
 * A request must arrive whole in time: one whose body comes a byte at a time,
 * or never, is a 408 problem document and its connection closes, token or
 * not, so such connections cannot pile up, and a shutdown does not wait on them.
 */
import assert from "node:assert/strict";
import { type AddressInfo, connect, type Socket } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { setup, storedTasks } from "./helper";

const REQUEST_TIMEOUT_MS = 1_000;
const ctx = await setup({}, {}, undefined, false, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
await ctx.app.listen({ port: 0, host: "127.0.0.1" });
const port = (ctx.app.server.address() as AddressInfo).port;

/** A connection that sends `head` and then `trickle` a byte every 200 ms; what came back and when it ended. */
function slowRequest(head: string, trickle = "") {
  const socket: Socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  const ended = new Promise<string>((resolve) => {
    socket.on("close", () => resolve("closed"));
    socket.on("error", () => {});
  });
  socket.write(head);
  const dribble = setInterval(() => {
    if (trickle && socket.writable) socket.write(trickle);
  }, 200);
  void ended.then(() => clearInterval(dribble));
  return { socket, ended, received: () => received };
}

const within = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, sleep(ms).then(() => "still open")]);

test("a body that never comes whole is a 408 problem document with Connection: close, and nothing is made", async () => {
  const user = await ctx.newUser();
  const body = JSON.stringify({ title: "Never sent whole" });
  const { ended, received } = slowRequest(
    `POST /api/${user.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`,
    " ",
  );
  assert.equal(await within(ended, 10 * REQUEST_TIMEOUT_MS), "closed", `the connection is closed: ${received()}`);
  assert.match(received(), /^HTTP\/1\.1 408 /, received());
  assert.match(received(), /\r\nconnection: close\r\n/i);
  assert.match(received(), /\r\ncontent-type: application\/problem\+json/i);
  assert.match(received(), /"status":408/);
  assert.deepEqual(await storedTasks(ctx.pool, user.id), []);
});

test("without a token, on a method no route has (whose body is read and dropped): closed in time too", async () => {
  const { ended, received } = slowRequest(
    "PUT /api/someone/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000\r\n\r\nx",
  );
  assert.equal(await within(ended, 10 * REQUEST_TIMEOUT_MS), "closed", `the connection is closed: ${received()}`);
  assert.match(received(), /^HTTP\/1\.1 408 /, received());
});

test("a shutdown does not wait for a request whose body never comes", async () => {
  const other = await setup({}, {}, undefined, false, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
  await other.app.listen({ port: 0, host: "127.0.0.1" });
  const otherPort = (other.app.server.address() as AddressInfo).port;
  const socket = connect(otherPort, "127.0.0.1");
  socket.on("error", () => {});
  socket.write("PUT /api/someone/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000\r\n\r\nx");
  await sleep(100);
  assert.equal(await within(other.app.close(), 10 * REQUEST_TIMEOUT_MS), undefined, "closed");
  socket.destroy();
});

test("a client that never reads its answers loses its connection once nothing moves on it", async () => {
  const IDLE_MS = 1_000;
  const other = await setup({}, {}, undefined, false, { connectionIdleTimeoutMs: IDLE_MS });
  await other.app.listen({ port: 0, host: "127.0.0.1" });
  const otherPort = (other.app.server.address() as AddressInfo).port;
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      other.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  // The docs' script (1.7 MB, no token needed), asked for thirty times on one connection that reads
  // nothing: the kernel's buffers fill, and the server's writes stop.
  const socket = connect(otherPort, "127.0.0.1");
  socket.on("error", () => {});
  socket.on("data", () => {});
  // One answer read first: the limit holds after a keep-alive request too, not on a new connection only.
  socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  await sleep(300);
  socket.pause();
  socket.write("GET /docs/static/swagger-ui-bundle.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(30));
  await sleep(200);
  assert.equal(await connections(), 1, "the connection was taken");
  let count = 1;
  for (const started = Date.now(); count > 0 && Date.now() - started < 10 * IDLE_MS; await sleep(100)) {
    count = await connections();
  }
  socket.destroy();
  assert.equal(count, 0, "the server still holds the connection");
});
