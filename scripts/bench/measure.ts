/**
 * One measured run: autocannon drives a scenario at a server while the
 * server's peak RSS is sampled, and the CPU time of the server, of PostgreSQL
 * and of this process (autocannon) is read from /proc before and after, per
 * completed request. CPU per request varies much less than req/s on a shared
 * machine and says where the time goes.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { buildRequest, type Scenario } from "./scenarios";
import type { BenchUser } from "./seed";
import type { Target } from "./servers";

export interface RunResult {
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

/** The autocannon run in progress, if any, so that the bench's clean-up can stop it. */
export interface RunningLoad {
  instance: autocannon.Instance | undefined;
}

export interface RunSettings {
  connections: number;
  /** PostgreSQL's data directory: its postmaster.pid says whose CPU time is the database's. */
  databaseDataDir: string;
  running: RunningLoad;
}

export function readRssMb(pid: number | undefined): number {
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
export function readDatabaseCpuMs(dataDir: string): number {
  try {
    const postmaster = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]?.trim();
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

function readCpuCounters(target: Target, databaseDataDir: string): CpuCounters {
  const own = process.cpuUsage();
  return {
    server: readCpuMs(target.child.pid),
    database: readDatabaseCpuMs(databaseDataDir),
    loadGenerator: (own.user + own.system) / 1000,
  };
}

function runAutocannon(
  target: Target,
  users: BenchUser[],
  scenario: Scenario,
  durationS: number,
  settings: RunSettings,
): Promise<autocannon.Result> {
  let n = 0;
  return new Promise<autocannon.Result>((resolve, reject) => {
    settings.running.instance = autocannon(
      {
        url: target.url,
        connections: settings.connections,
        duration: durationS,
        pipelining: 1,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const i = n++;
              return { ...request, ...buildRequest(users, scenario.kindOf(i), i, scenario.listQuery) };
            },
          },
        ],
      },
      (error, result) => {
        settings.running.instance = undefined;
        if (error) reject(error);
        else resolve(result);
      },
    );
  });
}

export async function measureRun(
  target: Target,
  users: BenchUser[],
  scenario: Scenario,
  durationS: number,
  settings: RunSettings,
): Promise<RunResult> {
  let rssMb = readRssMb(target.child.pid);
  const sampler = setInterval(() => {
    rssMb = Math.max(rssMb, readRssMb(target.child.pid));
  }, 250);
  const before = readCpuCounters(target, settings.databaseDataDir);
  let result: autocannon.Result;
  try {
    result = await runAutocannon(target, users, scenario, durationS, settings);
  } finally {
    clearInterval(sampler);
  }
  if (target.child.exitCode !== null || target.child.signalCode !== null) {
    throw new Error(`the ${target.name} process died during the run`);
  }
  const after = readCpuCounters(target, settings.databaseDataDir);
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
