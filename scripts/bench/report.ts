/**
 * What a bench run reports: one progress line per run, the medians of the
 * rounds as a table judged against the targets, and the same medians as
 * bench/results.json.
 */
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { RunResult } from "./measure";
import type { Scenario } from "./scenarios";

const TARGET_RATIO = 0.8;
/** Issue 9's goals against the ceiling on the minimal table, where it names one. */
const TARGET_MINIMAL_RATIO: Partial<Record<Scenario["name"], number>> = { list: 0.95, create: 0.85 };
const TARGET_P99_FACTOR = 1.25;
const TARGET_RSS_MB = 150;

export interface ScenarioSummary {
  name: Scenario["name"];
  api: RunResult[];
  ceiling: RunResult[];
  /** The ceiling on the minimal table; empty for the large scenarios. */
  minimal: RunResult[];
}

/** How the runs were made, as the table's footnote and results.json state it. */
export interface RunShape {
  connections: number;
  durationS: number;
  rounds: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function describeRun(result: RunResult): string {
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

export function printTable(summaries: ScenarioSummary[], shape: RunShape): void {
  const header = [
    "scenario",
    "req/s",
    "ceiling",
    "ratio",
    "minimal",
    "ratio",
    "p50 ms",
    "p99 ms",
    "ceil p99",
    "p99 x",
    "errors",
    "non2xx",
    "RSS MB",
    "rps range (api | ceiling | minimal)",
    "CPU µs/req server+db (api | ceiling | minimal)",
    "targets",
  ];
  const rows = summaries.map((s) => {
    const rps = median(s.api.map((r) => r.rps));
    const ceilingRps = median(s.ceiling.map((r) => r.rps));
    const ratio = ceilingRps > 0 ? rps / ceilingRps : 0;
    const minimalRps = s.minimal.length > 0 ? median(s.minimal.map((r) => r.rps)) : 0;
    const minimalRatio = minimalRps > 0 ? rps / minimalRps : 0;
    const minimalTarget = TARGET_MINIMAL_RATIO[s.name];
    const p99 = median(s.api.map((r) => r.p99));
    const ceilingP99 = median(s.ceiling.map((r) => r.p99));
    const errors = s.api.reduce((sum, r) => sum + r.errors, 0);
    const non2xx = s.api.reduce((sum, r) => sum + r.non2xx, 0);
    const rss = Math.max(...s.api.map((r) => r.rssMb));
    const p99Factor = p99 / Math.max(ceilingP99, 1);
    const misses = [
      // A ceiling that failed answered fast 503s: its req/s, and so every ratio, would be worth nothing.
      ceilingFailures(s) > 0 ? "INVALID: the ceilings failed requests" : "",
      ratio < TARGET_RATIO ? "rps" : "",
      minimalTarget !== undefined && minimalRps > 0 && minimalRatio < minimalTarget ? `minimal ${minimalTarget}` : "",
      p99Factor > TARGET_P99_FACTOR ? "p99" : "",
      errors + non2xx > 0 ? "errors" : "",
      rss >= TARGET_RSS_MB ? "rss" : "",
    ].filter(Boolean);
    const range = (runs: RunResult[]) =>
      runs.length === 0
        ? "-"
        : `${Math.min(...runs.map((r) => r.rps)).toFixed(0)}-${Math.max(...runs.map((r) => r.rps)).toFixed(0)}`;
    const cpu = (runs: RunResult[]) =>
      runs.length === 0
        ? "-"
        : `${median(runs.map((r) => r.cpuUsPerRequest.server)).toFixed(0)}+` +
          `${median(runs.map((r) => r.cpuUsPerRequest.database)).toFixed(0)}`;
    return [
      s.name,
      rps.toFixed(0),
      ceilingRps.toFixed(0),
      ratio.toFixed(2),
      minimalRps > 0 ? minimalRps.toFixed(0) : "-",
      minimalRps > 0 ? minimalRatio.toFixed(2) : "-",
      String(median(s.api.map((r) => r.p50))),
      String(p99),
      String(ceilingP99),
      p99Factor.toFixed(2),
      String(errors),
      String(non2xx),
      rss.toFixed(0),
      `${range(s.api)} | ${range(s.ceiling)} | ${range(s.minimal)}`,
      `${cpu(s.api)} | ${cpu(s.ceiling)} | ${cpu(s.minimal)}`,
      misses.length === 0 ? "met" : `MISSED: ${misses.join(", ")}`,
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i >= 13 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log("");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log("");
  console.log(
    `Medians of ${shape.rounds} interleaved round(s) of ${shape.durationS} s, ${shape.connections} connections; ` +
      `errors and non2xx are totals over the API's rounds (a ceiling's failures mark the scenario INVALID); ` +
      `RSS is the API's peak VmRSS. "minimal" is the same ceiling ` +
      `on a minimal table. Targets: ratio >= ${TARGET_RATIO}, ratio to minimal >= ` +
      `${Object.entries(TARGET_MINIMAL_RATIO)
        .map(([name, target]) => `${target} (${name})`)
        .join(", ")}, p99 <= ${TARGET_P99_FACTOR} x ceiling p99, zero errors, RSS < ${TARGET_RSS_MB} MB.`,
  );
}

/** The two ceilings' errors and non-2xx answers over every round. */
function ceilingFailures(s: ScenarioSummary): number {
  return [...s.ceiling, ...s.minimal].reduce((sum, r) => sum + r.errors + r.non2xx, 0);
}

export function writeResults(file: string, summaries: ScenarioSummary[], shape: RunShape): void {
  const results = {
    // Memory and CPU are read from /proc: off Linux their fields are 0, not measured.
    machine: { cpus: availableParallelism(), node: process.version, platform: process.platform },
    connections: shape.connections,
    duration_s: shape.durationS,
    scenarios: summaries.map((s) => {
      const rps = median(s.api.map((r) => r.rps));
      const ceilingRps = median(s.ceiling.map((r) => r.rps));
      const minimalRps = s.minimal.length > 0 ? median(s.minimal.map((r) => r.rps)) : undefined;
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
        // Beyond the contract's fields: the ceilings' failed requests (errors and non-2xx; a ratio
        // stands only if none), and the ceiling on the minimal table, where it ran.
        ceiling_failures: ceilingFailures(s),
        ...(minimalRps === undefined
          ? {}
          : { minimal_ceiling_rps: round(minimalRps, 1), ratio_to_minimal: round(rps / minimalRps, 3) }),
      };
    }),
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
