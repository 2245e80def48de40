import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import { apiBuildIsStale, buildApi } from "../../../scripts/lib/build-api";
import { startCuttableDatabaseProxy } from "../../../scripts/lib/database-proxy";
import { freePort } from "../../../scripts/lib/free-port";
import { committedMigrations, createTestDatabase } from "../../../scripts/lib/test-database";
import { databaseUrl } from "./helper";

const apiDir = path.resolve(import.meta.dirname, "..");
const migrationCount = committedMigrations();

interface ApiProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

// The tests run what production runs: the bundle `npm run start:api` starts (scripts/test.ts has
// built it, if it was missing or older than its sources, before any file ran).
const bundle = path.join(apiDir, "dist", "server.mjs");

/** What production must be told (no development default stands in): the origins of the web app and of the API. */
const PUBLIC_ORIGINS = { BETTER_AUTH_URL: "http://localhost:3000", API_URL: "http://localhost:8000" };

function startApi(env: Record<string, string>): ApiProcess {
  const child = spawn(process.execPath, ["dist/server.mjs"], {
    cwd: apiDir,
    env: { PATH: process.env.PATH, NODE_ENV: "production", LOG_LEVEL: "warn", ...PUBLIC_ORIGINS, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  after(() => {
    child.kill("SIGKILL");
  });
  return { child, output: () => output, exited };
}

/** `npm run start:api` as production runs it, in its own process group (killed with all it left after the test). */
function startNpmApi(port: number): ApiProcess {
  const npm = spawn("npm", ["run", "start"], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      ...PUBLIC_ORIGINS,
      DATABASE_URL: databaseUrl(),
      PORT: String(port),
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  npm.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  npm.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)));
  after(() => {
    try {
      process.kill(-(npm.pid as number), "SIGKILL");
    } catch {
      // already gone
    }
  });
  return { child: npm, output: () => output, exited };
}

async function waitUntilReady(port: number, api: ApiProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`API on :${port} did not become ready:\n${api.output()}`);
}

describe("the API process (npm run start:api)", () => {
  test("two processes starting at once on an empty database apply each migration exactly once", async () => {
    const url = new URL(await createTestDatabase("migrate"));

    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port) => startApi({ DATABASE_URL: url.toString(), PORT: String(port), HOST: "127.0.0.1" }));
    await Promise.all(ports.map((port, i) => waitUntilReady(port, apis[i] as ApiProcess)));

    const check = new pg.Client({ connectionString: url.toString() });
    await check.connect();
    const { rows } = await check.query("SELECT hash FROM drizzle.__drizzle_migrations");
    const tables = await check.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'tasks'",
    );
    await check.end();
    assert.equal(rows.length, migrationCount);
    assert.equal(new Set(rows.map((row) => row.hash)).size, migrationCount, "no migration recorded twice");
    assert.equal(tables.rows[0].n, 1);

    // SIGTERM: stop accepting, finish, close the pool, exit 0.
    for (const api of apis) api.child.kill("SIGTERM");
    assert.deepEqual(await Promise.all(apis.map((api) => api.exited)), [0, 0]);
  });

  test("npm run start:api hands SIGTERM to the server: it stops, and its port closes", async () => {
    const port = await freePort();
    const npm = startNpmApi(port);
    await waitUntilReady(port, npm);

    // As a container runtime or a service manager stops it: SIGTERM to the process it started.
    npm.child.kill("SIGTERM");
    await npm.exited;
    const stillAnswers = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => true,
      () => false,
    );
    assert.equal(stillAnswers, false, `the server outlived npm and still listens:\n${npm.output()}`);
  });

  test("npm run start:api starts a fresh bundle as it is, rebuilding nothing, and it answers", async () => {
    // Sources changed since scripts/test.ts built it: built here, so that what follows starts a fresh one.
    if (apiBuildIsStale()) buildApi("ignore");
    const before = statSync(bundle);

    const port = await freePort();
    const npm = startNpmApi(port);
    await waitUntilReady(port, npm);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);

    // build.ts renames a new file into place: another inode and modification time.
    const now = statSync(bundle);
    assert.deepEqual(
      { inode: now.ino, modified: now.mtimeMs },
      { inode: before.ino, modified: before.mtimeMs },
      `start:api rewrote a bundle that was not older than its sources:\n${npm.output()}`,
    );
    assert.doesNotMatch(npm.output(), /building|built /);
  });

  test("a database that does not answer yet at start-up (a compute waking, a container starting) is waited for", async () => {
    // Nothing listens at the database's address at first: every connection is refused.
    const databasePort = await freePort();
    const notYetUp = new URL(databaseUrl());
    notYetUp.port = String(databasePort);
    const port = await freePort();
    const api = startApi({ DATABASE_URL: notYetUp.toString(), PORT: String(port) });
    // It says it waits (however long this machine takes to start it), then goes on waiting.
    const waiting = new RegExp(`database at 127\\.0\\.0\\.1:${databasePort} does not answer yet`);
    for (const deadline = Date.now() + 20_000; !waiting.test(api.output()) && api.child.exitCode === null; ) {
      assert.ok(Date.now() < deadline, `no word of waiting:\n${api.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(api.child.exitCode, null, `still starting:\n${api.output()}`);
    assert.match(api.output(), waiting);

    // The database comes up at that address (a proxy to the tests' own): the API goes on and serves.
    const database = await startCuttableDatabaseProxy(databaseUrl(), databasePort);
    after(() => database.close());
    await waitUntilReady(port, api);
  });

  test("a database host not known yet to DNS (a container not started yet) is waited for too", async () => {
    const notKnown = new URL(databaseUrl());
    notKnown.hostname = "tasks-database.invalid";
    const api = startApi({ DATABASE_URL: notKnown.toString(), PORT: String(await freePort()) });
    // (ENOTFOUND where a resolver answers that no such name exists; EAI_AGAIN where none answers.)
    const waiting = /database at tasks-database\.invalid:\d+ does not answer yet \((ENOTFOUND|EAI_AGAIN)\)/;
    for (const deadline = Date.now() + 20_000; !waiting.test(api.output()) && api.child.exitCode === null; ) {
      assert.ok(Date.now() < deadline, `no word of waiting:\n${api.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(api.child.exitCode, null, `still waiting, not stopped:\n${api.output()}`);
    api.child.kill("SIGKILL");
  });

  test("a bad setting stops start-up with a message naming the variable", async () => {
    const bad = startApi({ DATABASE_URL: databaseUrl(), API_RATE_LIMIT: "lots", PORT: String(await freePort()) });
    assert.equal(await bad.exited, 1);
    assert.match(bad.output(), /API_RATE_LIMIT/);
    assert.doesNotMatch(bad.output(), /at .*\.ts:\d+/, "no stack trace");

    // A DATABASE_URL that is no URL (a password with # and / not percent-encoded): named, no stack.
    const unparsable = startApi({
      DATABASE_URL: "postgres://tasks:pa/ss#word@db.example/tasks",
      PORT: String(await freePort()),
    });
    assert.equal(await unparsable.exited, 1);
    assert.match(unparsable.output(), /DATABASE_URL: is not a valid URL \(percent-encode/);
    assert.doesNotMatch(unparsable.output(), /at .*\.(ts|mjs):\d+/, "no stack trace");

    // A database that answers and refuses (here, a wrong password) is not waited for.
    const wrongPassword = new URL(databaseUrl());
    wrongPassword.password = "not-the-password";
    const refused = startApi({ DATABASE_URL: wrongPassword.toString(), PORT: String(await freePort()) });
    assert.equal(await refused.exited, 1);
    assert.match(refused.output(), /password authentication failed/);
    assert.doesNotMatch(refused.output(), /does not answer yet/);

    // Without NODE_ENV=production: it starts, and says which addresses are development defaults.
    const undeclared = startApi({
      NODE_ENV: "",
      BETTER_AUTH_URL: "",
      DATABASE_URL: databaseUrl(),
      PORT: String(await freePort()),
    });
    const deadline = Date.now() + 30_000;
    while (!/NODE_ENV is not production/.test(undeclared.output()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(
      undeclared.output(),
      /NODE_ENV is not production, so these take their development defaults .*: BETTER_AUTH_URL\./,
    );
    undeclared.child.kill("SIGKILL");

    const noDatabase = startApi({ PORT: String(await freePort()) });
    assert.equal(await noDatabase.exited, 1);
    assert.match(noDatabase.output(), /DATABASE_URL/);

    // A HOST that is no address of this machine (192.0.2.1 is for documentation, never assigned):
    // named, not taken for a port in use.
    const elsewhere = startApi({ DATABASE_URL: databaseUrl(), HOST: "192.0.2.1", PORT: String(await freePort()) });
    assert.equal(await elsewhere.exited, 1);
    assert.match(elsewhere.output(), /192\.0\.2\.1 is not an address of this machine: set HOST/);
    assert.doesNotMatch(elsewhere.output(), /at .*\.(ts|mjs):\d+/, "no stack trace");
    // A name no resolver knows (the final dot: no search domains): named too.
    const unknown = startApi({
      DATABASE_URL: databaseUrl(),
      HOST: "no-such-host.invalid.",
      PORT: String(await freePort()),
    });
    assert.equal(await unknown.exited, 1);
    assert.match(unknown.output(), /no-such-host\.invalid\. is not a name of this machine .*: set HOST/);
    assert.doesNotMatch(unknown.output(), /at .*\.(ts|mjs):\d+/, "no stack trace");
  });
});
