/**
 * The sign-in rate limit counts per client address. A client must not be able
 * to pick that address: with no trusted proxy configured (the default), a
 * made-up X-Forwarded-For changes nothing and the TCP peer's address is what
 * counts. Own database, so its counters touch no other test's.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { describe, test } from "node:test";
import { createPool } from "@tasks/db";
import { createTestDatabase } from "../../scripts/lib/test-database";
import { startTestProduct } from "./product";

const databaseUrl = await createTestDatabase("client_address");
const product = await startTestProduct({ TRUSTED_PROXY_HOPS: "0" }, databaseUrl);

/** One sign-in attempt with a wrong password, from the given local address (any of 127/8 reaches loopback). */
function attemptSignIn(from: string, forwardedFor: string): Promise<number> {
  const url = new URL(`${product.webUrl}/api/auth/sign-in/email`);
  // An address of its own each time: only the per-client limit is at play, not the per-account pause.
  const body = JSON.stringify({ email: `nobody-${crypto.randomUUID()}@example.test`, password: "not the password" });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        headers: {
          host: url.host,
          origin: product.webUrl,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-forwarded-for": forwardedFor,
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

describe("who the client is, for the sign-in rate limit", () => {
  test("a made-up X-Forwarded-For on each attempt does not escape the limit; another real address has its own", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push(await attemptSignIn("127.0.0.1", `203.0.113.${i}`));
    assert.equal(statuses[0], 401);
    assert.ok(statuses.includes(429), `12 attempts from "12 addresses" were all let through: ${statuses.join(",")}`);
    // The limit is per client, not one bucket for everybody: a different peer is still let in.
    assert.equal(await attemptSignIn("127.0.0.2", "203.0.113.1"), 401);
  });

  test("a path of any length is counted and answered, not a 500 (the limit's key holds the path)", async () => {
    // Longer than PostgreSQL's b-tree takes as a key (2,704 bytes, after compression: so random),
    // within Node's 16 KB of headers.
    const path = `/api/auth/${Array.from({ length: 12 }, () => randomBytes(120).toString("hex")).join("/")}`;
    for (const method of ["GET", "POST"]) {
      const answer = await fetch(`${product.webUrl}${path}`, {
        method,
        headers: { origin: product.webUrl, "content-type": "application/json" },
        body: method === "POST" ? "{}" : undefined,
      });
      assert.equal(answer.status, 404, `${method}: ${await answer.text()}`);
    }
    // Counted all the same, under its path's start and a hash of the whole.
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      const { rows } = await pool.query<{ count: number }>("SELECT count FROM rate_limits WHERE key LIKE $1", [
        `%|/${path.slice("/api/auth/".length, 60)}%…sha256:%`,
      ]);
      assert.deepEqual(
        rows.map((row) => row.count),
        [2],
      );
    } finally {
      await pool.end();
    }
  });
});

describe("what the web server takes", () => {
  test("a body declared over 64 KiB is a 413 problem before any of it is read, and the connection closes", async () => {
    const url = new URL(`${product.webUrl}/api/auth/sign-in/email`);
    /** A POST declaring 2 GB, its body never sent; `expect`: waiting for "100 Continue" first. */
    const declaringTooMuch = (expect: boolean) =>
      new Promise<{ status: number; type: string; connection: string; body: string; invited: boolean }>(
        (resolve, reject) => {
          let invited = false;
          const outgoing = request(
            {
              host: "127.0.0.1",
              port: url.port,
              path: url.pathname,
              method: "POST",
              headers: {
                origin: product.webUrl,
                "content-type": "application/json",
                "content-length": 2_000_000_000,
                ...(expect ? { expect: "100-continue" } : {}),
              },
            },
            (response) => {
              let body = "";
              response.setEncoding("utf8");
              response.on("data", (chunk: string) => {
                body += chunk;
              });
              response.on("end", () =>
                resolve({
                  status: response.statusCode ?? 0,
                  type: String(response.headers["content-type"]),
                  connection: String(response.headers.connection),
                  body,
                  invited,
                }),
              );
            },
          );
          outgoing.on("continue", () => {
            invited = true;
          });
          outgoing.on("error", reject);
          // A start of the body, the rest never sent: the answer must not wait for it.
          if (expect) outgoing.flushHeaders();
          else outgoing.write('{"email":"');
        },
      );
    for (const expect of [false, true]) {
      const answer = await declaringTooMuch(expect);
      assert.equal(answer.status, 413, answer.body);
      assert.match(answer.type, /^application\/problem\+json/);
      assert.equal(answer.connection, "close");
      assert.match(answer.body, /larger than 64 KiB/);
      assert.equal(answer.invited, false, "no 100 Continue invited the body");
    }
    // A body of the size taken is read as ever (here, a name too long for a sign-up: its 400).
    const body = JSON.stringify({ email: "nobody@example.test", password: "a password", name: "n".repeat(60_000) });
    const taken = await fetch(`${product.webUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { origin: product.webUrl, "content-type": "application/json" },
      body,
    });
    assert.equal(((await taken.json()) as { code?: string }).code, "NAME_TOO_LONG");
    // And so it is by a client that waits to be invited: invited, then answered.
    const invitedAnswer = await new Promise<string>((resolve, reject) => {
      const outgoing = request(
        {
          host: "127.0.0.1",
          port: url.port,
          path: "/api/auth/sign-up/email",
          method: "POST",
          headers: {
            origin: product.webUrl,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            expect: "100-continue",
          },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            text += chunk;
          });
          response.on("end", () => resolve(text));
        },
      );
      outgoing.on("continue", () => outgoing.end(body));
      outgoing.on("error", reject);
      outgoing.flushHeaders();
    });
    assert.match(invitedAnswer, /NAME_TOO_LONG/);
  });
});
