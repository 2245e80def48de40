/**
 * The web app's HTTP server (`npm run start:web`, and `npm start`): Next.js's
 * production request handler behind one rule about who the client is.
 *
 * Better Auth counts sign-in and sign-up attempts per client address, which
 * it reads from X-Forwarded-For. `next start` passes on whatever a client
 * puts in that header, so anyone could claim a fresh address for every
 * password guess. Here the header is always ours: the address of the TCP
 * peer, or, behind proxies you trust (TRUSTED_PROXY_HOPS=n), the address the
 * first of them saw, which they appended to the header.
 */
import { createServer } from "node:http";
import { isIP } from "node:net";

// As `next start` does: this server only ever serves the production build
// (and the app's configuration is strict about secrets in production).
// (Set but empty counts as unset: `-e NODE_ENV=` must not turn the production checks off.)
process.env.NODE_ENV ||= "production";
const { default: next } = await import("next");

// Empty (or spaces alone) counts as unset, as for the API (an empty PORT was port 0: a random one).
const setting = (name, fallback) => process.env[name]?.trim() || fallback;
const portText = setting("PORT", "3000");
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) {
  console.error("PORT must be a whole number from 0 to 65535");
  process.exit(1);
}
const hopsText = setting("TRUSTED_PROXY_HOPS", "0");
const hops = Number(hopsText);
if (!/^\d+$/.test(hopsText) || hops > 10) {
  console.error(
    "TRUSTED_PROXY_HOPS must be a whole number from 0 to 10 (how many proxies in front append to X-Forwarded-For)",
  );
  process.exit(1);
}

/** A bare IP address from "a.b.c.d", "a.b.c.d:port", "[v6]:port" or "::ffff:a.b.c.d"; undefined if it is none. */
function bareAddress(value) {
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  address = address.replace(/^::ffff:(?=[\d.]+$)/i, "");
  return isIP(address) ? address : undefined;
}

/** @param {import("node:http").IncomingMessage} request */
function clientAddress(request) {
  const peer = bareAddress(request.socket.remoteAddress ?? "") ?? "0.0.0.0";
  if (hops === 0) return peer;
  const header = request.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").filter((s) => s.trim());
  // Each trusted proxy appends the address it received from; anything left of those came from the client.
  const entry = forwarded[forwarded.length - hops];
  const seenByProxy = entry === undefined ? undefined : bareAddress(entry);
  return seenByProxy ?? peer;
}

const app = next({ dev: false, dir: import.meta.dirname, port });
await app.prepare();
const handle = app.getRequestHandler();

/** Answers under way, so that a shutdown can tell them to close their connections. */
const answering = new Set();
let shuttingDown = false;

/**
 * The largest request body taken, as the Task API's: every request the app makes is a small JSON
 * body or form. Next.js held up to 10 MiB of each body (its proxy's copy, next.config.ts lowers
 * that too) before any route or rate limit ran: a few hundred connections each sending a large body
 * slowly held gigabytes.
 */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A 413 for a body declared over BODY_LIMIT_BYTES, said before the body comes, and the connection
 * closed: nothing of it is read. True when it was refused.
 * @param {import("node:http").IncomingMessage} request
 * @param {import("node:http").ServerResponse} response
 */
function refusedForSize(request, response) {
  if (Number(request.headers["content-length"] ?? 0) <= BODY_LIMIT_BYTES) return false;
  response.writeHead(413, { "content-type": "application/problem+json", connection: "close" });
  response.end(
    JSON.stringify({
      type: "about:blank",
      title: "Content Too Large",
      status: 413,
      detail: `The request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB.`,
    }),
  );
  return true;
}

const server = createServer((request, response) => {
  if (refusedForSize(request, response)) return;
  request.headers["x-forwarded-for"] = clientAddress(request);
  if (shuttingDown) response.setHeader("connection", "close");
  answering.add(response);
  response.once("close", () => answering.delete(response));
  handle(request, response).catch((error) => {
    console.error(error);
    if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
    response.end("Internal Server Error");
  });
});
// Idle keep-alive connections stay open 72 s, as the Task API's (Fastify's default), not Node's 5 s:
// a client or proxy that sends on a connection just as the server closes it gets ECONNRESET (a 502
// behind a load balancer, whose idle timeout is commonly 60 s). A browser test hit it: a second
// request through the same context about 5 s after the first.
server.keepAliveTimeout = 72_000;
// A client that waits for "100 Continue" before it sends its body (curl, some proxies) is weighed
// first: Node, left to itself, invites the body before the request handler runs.
server.on("checkContinue", (request, response) => {
  if (refusedForSize(request, response)) return;
  response.writeContinue();
  server.emit("request", request, response);
});
// A connection on which nothing moves for a minute, either way, is closed (Node sets no limit; a
// write that moved since its last look gives it a second minute): a client that asked for the
// scripts and never read them held its connection and their buffers for good, once the kernel's
// buffers were full (tried here). As the Task API's (CONNECTION_IDLE_TIMEOUT_MS).
server.timeout = 60_000;
// Every interface by default (containers, `npm run start:web`); `npm start` sets HOST=127.0.0.1.
const host = setting("HOST", "0.0.0.0");
// A port taken (or not ours to take), or a HOST that is not this machine's, is one line naming the
// variable to change, not an unhandled error's stack.
server.once("error", (error) => {
  const code = /** @type {NodeJS.ErrnoException} */ (error).code;
  const advice =
    code === "EADDRINUSE" || code === "EACCES"
      ? " Set PORT to another port."
      : code === "EADDRNOTAVAIL"
        ? ` ${host} is not an address of this machine: set HOST to one of its addresses (0.0.0.0: all of them).`
        : code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAFNOSUPPORT"
          ? " Set HOST to one of this machine's addresses (0.0.0.0: all of them)."
          : "";
  console.error(`The web app could not listen on ${host}:${port}: ${error.message}.${advice}`);
  process.exit(1);
});
server.listen(port, host, () => console.log(`web app listening on ${host}:${port}`));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    // Stop accepting, let requests in flight finish, then go. A connection busy now is not left
    // open after its answer (kept alive for 72 s, taking further requests until the 10 s below cut
    // them: a load balancer's 502s at every deploy): its answer says Connection: close, or, if its
    // headers are sent already, the connection is closed once it is idle.
    shuttingDown = true;
    for (const response of answering) {
      if (!response.headersSent) response.setHeader("connection", "close");
      else response.once("finish", () => setImmediate(() => server.closeIdleConnections()));
    }
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
