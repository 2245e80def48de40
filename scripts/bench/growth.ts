/**
 * The growth table: what each kind of list request costs a person with 99,
 * 1,000 and 10,000 tasks, in the same table of a million (seed-large.ts), at
 * the API alone under the bench's load. A page should cost the page: the
 * columns should stay close. Printed, and written to bench/growth.json.
 */
import { writeFileSync } from "node:fs";
import type { RunResult } from "./measure";
import { LIST_LIMIT, type Scenario } from "./scenarios";
import type { BenchUser } from "./seed";
import { COMMON_WORD, RARE_PHRASE } from "./seed-large";

export interface GrowthUser {
  tasks: number;
  user: BenchUser;
}

export interface GrowthRow {
  request: string;
  cells: { tasks: number; rps: number; p50_ms: number; p99_ms: number; errors: number; non2xx: number }[];
}

/** The request kinds, as query strings; a deep page goes nine tenths into the person's list. */
function requestKinds(tasks: number): [string, string][] {
  const limit = `limit=${LIST_LIMIT}`;
  return [
    ["list", limit],
    ["sort=due", `sort=due&${limit}`],
    ["sort=due&order=desc", `sort=due&order=desc&${limit}`],
    ["sort=title", `sort=title&${limit}`],
    ["sort=priority", `sort=priority&${limit}`],
    ["sort=priority&order=asc", `sort=priority&order=asc&${limit}`],
    ["sort=updated", `sort=updated&${limit}`],
    ["status=pending", `status=pending&${limit}`],
    [`q=${COMMON_WORD} (1 in 6)`, `q=${COMMON_WORD}&${limit}`],
    ["q= a rare phrase", `q=${encodeURIComponent(RARE_PHRASE)}&${limit}`],
    ["offset at 90%", `offset=${Math.floor(tasks * 0.9)}&${limit}`],
  ];
}

export async function measureGrowth(
  target: { name: string },
  users: GrowthUser[],
  measure: (scenario: Scenario, users: BenchUser[]) => Promise<RunResult>,
): Promise<GrowthRow[]> {
  const rows: GrowthRow[] = [];
  const kinds = requestKinds(1).map(([request]) => request);
  for (const [index, request] of kinds.entries()) {
    const row: GrowthRow = { request, cells: [] };
    for (const { tasks, user } of users) {
      const listQuery = (requestKinds(tasks)[index] as [string, string])[1];
      const scenario: Scenario = { name: "list", description: request, writes: false, listQuery, kindOf: () => "list" };
      const result = await measure(scenario, [user]);
      row.cells.push({
        tasks,
        rps: Math.round(result.rps),
        p50_ms: result.p50,
        p99_ms: result.p99,
        errors: result.errors,
        non2xx: result.non2xx,
      });
      console.log(
        `  ${target.name} ${request.padEnd(22)} ${String(tasks).padStart(6)} tasks: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}, non2xx ${result.non2xx}`,
      );
    }
    rows.push(row);
  }
  printGrowth(rows);
  return rows;
}

function printGrowth(rows: GrowthRow[]): void {
  const sizes = rows[0]?.cells.map((cell) => cell.tasks) ?? [];
  console.log("");
  console.log(
    `${"request".padEnd(22)} ${sizes.map((size) => `${size} tasks: req/s  p50  p99`.padStart(30)).join(" ")}  share of the smallest`,
  );
  for (const row of rows) {
    const first = row.cells[0]?.rps || 1;
    const cells = row.cells.map((cell) => `${cell.rps}  ${cell.p50_ms}  ${cell.p99_ms}`.padStart(30)).join(" ");
    const shares = row.cells.map((cell) => (cell.rps / first).toFixed(2)).join(" / ");
    console.log(`${row.request.padEnd(22)} ${cells}  ${shares}`);
  }
  console.log("");
}

export function writeGrowth(file: string, rows: GrowthRow[], shape: { connections: number; durationS: number }): void {
  writeFileSync(file, `${JSON.stringify({ ...shape, rows }, null, 2)}\n`);
}
