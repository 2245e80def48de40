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
import next from "next";

const port = Number(process.env.PORT ?? 3000);
const hops = process.env.TRUSTED_PROXY_HOPS ? Number(process.env.TRUSTED_PROXY_HOPS) : 0;
if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
  console.error(
    "TRUSTED_PROXY_HOPS must be a whole number from 0 to 10 (how many proxies in front append to X-Forwarded-For)",
  );
  process.exit(1);
}

/** @param {import("node:http").IncomingMessage} request */
function clientAddress(request) {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; Better Auth wants a.b.c.d.
  const peer = (request.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  if (hops === 0) return peer;
  const forwarded = String(request.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Each trusted proxy appends the address it received from; anything left of those came from the client.
  return forwarded[forwarded.length - hops] ?? peer;
}

const app = next({ dev: false, dir: import.meta.dirname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((request, response) => {
  request.headers["x-forwarded-for"] = clientAddress(request);
  void handle(request, response);
});
server.listen(port, () => console.log(`web app listening on :${port}`));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
