/**
 * `npm start`: the whole product on one machine. Starts the embedded
 * PostgreSQL under .data/ (unless DATABASE_URL is set), applies migrations,
 * creates the development secrets once, starts the Task API on :8000 and
 * waits until it answers. Ctrl-C or SIGTERM stops everything it started.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createPool, migrateDatabase } from "@tasks/db";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "@tasks/db/embedded";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, ".data");
const apiPort = Number(process.env.API_PORT ?? process.env.PORT ?? 8000);
const databasePort = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);

const children: ChildProcess[] = [];
let database: EmbeddedDatabase | undefined;
let stopping = false;

function say(message: string): void {
  console.log(`[tasks] ${message}`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping…");
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
    await database?.stop();
  }
  process.exit(code);
}

function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(new Error(`port ${port} (${what}) is already in use: stop whatever uses it, or set another port.`)),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/** Development secrets are made once, kept in .data/ (never in git), and reused. */
function developmentSecrets(): { BETTER_AUTH_SECRET: string } {
  const file = path.join(dataDir, "dev-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  mkdirSync(dataDir, { recursive: true });
  const secrets = { BETTER_AUTH_SECRET: randomBytes(32).toString("base64url") };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  say(`created a development secret in ${path.relative(root, file)} (kept for next time; not for production)`);
  return secrets;
}

async function waitForReady(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up (code ${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not become ready within a minute`);
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  await assertPortFree(apiPort, "Task API");
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    say("using the database at DATABASE_URL");
  } else {
    await assertPortFree(databasePort, "embedded PostgreSQL");
    database = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres"), port: databasePort, log: say });
    databaseUrl = database.url;
    say(
      `embedded PostgreSQL running on 127.0.0.1:${databasePort} (data in ${path.relative(root, database.dataDir) || database.dataDir})`,
    );
  }

  const pool = createPool(databaseUrl, { max: 1 });
  const { applied } = await migrateDatabase(pool);
  await pool.end();
  say(applied > 0 ? `applied ${applied} database migration(s)` : "database schema is up to date");

  const secrets = developmentSecrets();
  const env = {
    ...process.env,
    ...secrets,
    ...(process.env.BETTER_AUTH_SECRET ? { BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET } : {}),
    DATABASE_URL: databaseUrl,
    PORT: String(apiPort),
  };
  const apiBundle = path.join(root, "apps/api/dist/server.mjs");
  if (!existsSync(apiBundle)) {
    say("building the Task API (first start only)…");
    execFileSync(process.execPath, ["--import", "tsx", "apps/api/build.ts"], { cwd: root, stdio: "inherit" });
  }
  const api = spawn(process.execPath, ["--enable-source-maps", apiBundle], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  children.push(api);
  api.on("exit", (code) => {
    if (!stopping) {
      say(`the Task API stopped unexpectedly (code ${code})`);
      void stopAll(1);
    }
  });
  await waitForReady(`http://127.0.0.1:${apiPort}/readyz`, api, "the Task API");
  say(`Task API ready: http://localhost:${apiPort} (OpenAPI docs: http://localhost:${apiPort}/docs)`);
  say("press Ctrl-C to stop");
}

main().catch(async (error: unknown) => {
  console.error(`[tasks] could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
