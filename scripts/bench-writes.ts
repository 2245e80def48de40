/**
 * `npm run bench:writes`: what one create and one toggle cost PostgreSQL on
 * our tasks table, on copies of it that each lack some of its indexes, and on
 * the bench's minimal table. The statements are the Task API's own
 * (bench/ceiling-sql.ts), sent straight from `pg` by 20 connections, with no
 * HTTP server in the way, so only the table differs. For each table:
 * statements a second, PostgreSQL CPU time a statement, and write-ahead log a
 * statement, by record type (pg_walinspect, which ships with PostgreSQL).
 *
 * Starts a fresh embedded PostgreSQL (.data/bench-writes-postgres), seeds the
 * bench's 50 users with 20 tasks each, builds the copies (each with the
 * product's foreign key, checks and triggers, and the product's indexes but
 * the ones it goes without), then measures in interleaved rounds and reports
 * medians with their spread. Prints a table and writes bench/writes.json.
 * Measures; never fails on timing.
 *
 * BENCH_WRITES_ROWS=10 sends creates ten to an INSERT, one each of ten
 * people, as the API's batches of creates do under load (figures are then
 * per create, and the file is bench/writes-10-rows.json).
 *
 * Environment: BENCH_WRITES_ROUNDS (default 3), BENCH_WRITES_STATEMENTS
 * (writes per round, kind and table; default 5000), BENCH_WRITES_ROWS (creates
 * an INSERT; default 1), BENCH_WRITES_CONNECTIONS
 * (default 20).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createPool, migrateDatabase } from "@tasks/db";
import { startEmbeddedPostgres } from "@tasks/db/embedded";
import pg from "pg";
import { uuidv7 } from "uuidv7";
import { ceilingStatements, createStatement } from "../bench/ceiling-sql";
import { readDatabaseCpuMs } from "./bench/measure";
import { median, round } from "./bench/report";
import { CREATE_INPUT } from "./bench/scenarios";
import { CREATED_TASK_TITLE, createMinimalTable, MINIMAL_SCHEMA, seedUsersAndTasks } from "./bench/seed";
import { freePort } from "./lib/free-port";
import { root } from "./lib/product";

const ROUNDS = Math.max(1, Number(process.env.BENCH_WRITES_ROUNDS ?? 3));
const STATEMENTS = Math.max(100, Number(process.env.BENCH_WRITES_STATEMENTS ?? 5000));
const CONNECTIONS = Math.max(1, Number(process.env.BENCH_WRITES_CONNECTIONS ?? 20));
const ROWS = Math.max(1, Math.min(25, Number(process.env.BENCH_WRITES_ROWS ?? 1)));
const say = (message: string) => console.log(`[bench:writes] ${message}`);

/** The four indexes that exist only for a sort other than creation order. */
const SORT_INDEXES = [
  "tasks_user_updated_idx",
  "tasks_user_priority_idx",
  "tasks_user_due_idx",
  "tasks_user_title_idx",
];

interface Table {
  name: string;
  /** Where its `tasks` is found: the schema first, then public (the enum type, users, task_counts). */
  searchPath: string;
  /** For a copy of ours: which of our indexes it keeps, and its storage options. */
  copy?: {
    keepIndex: (name: string, definition: string) => boolean;
    extraIndex?: string;
    options?: string;
    /** Leaves out the triggers that keep task_counts (the counts and search totals would be wrong). */
    withoutCounts?: boolean;
  };
}

const TABLES: Table[] = [
  { name: "ours", searchPath: "public" },
  {
    name: "ours without the two trigram indexes",
    searchPath: "writes_no_trigram,public",
    copy: { keepIndex: (_, definition) => !definition.includes("USING gin") },
  },
  {
    // A search would then match this and recheck title and description, to stay within the contract.
    name: "ours with one trigram index on title and description",
    searchPath: "writes_one_trigram,public",
    copy: {
      keepIndex: (_, definition) => !definition.includes("USING gin"),
      extraIndex: "USING gin (user_id, (title || E'\\x1F' || description) gin_trgm_ops)",
    },
  },
  {
    name: "ours without the four sort indexes",
    searchPath: "writes_no_sort,public",
    copy: { keepIndex: (name) => !SORT_INDEXES.includes(name) },
  },
  {
    name: "ours without the triggers that keep the counts",
    searchPath: "writes_no_counts,public",
    copy: { keepIndex: () => true, withoutCounts: true },
  },
  {
    // Nothing a toggle changes is indexed then, and pages keep room: a toggle can be a HOT update.
    name: "ours without the updated and status indexes, fillfactor 90",
    searchPath: "writes_hot_toggle,public",
    copy: {
      keepIndex: (name) => name !== "tasks_user_updated_idx" && name !== "tasks_user_completed_created_idx",
      options: "fillfactor = 90",
    },
  },
  { name: "minimal", searchPath: `${MINIMAL_SCHEMA},public` },
];

const KINDS = ["create", "toggle"] as const;
type Kind = (typeof KINDS)[number];

interface Sample {
  perSecond: number;
  cpuUs: number;
  walBytes: number;
  walRecords: number;
  /** Bytes and records a statement, by "resource manager/record type". */
  walByType: Record<string, { bytes: number; records: number }>;
}

const dataDir = path.join(root, ".data", "bench-writes-postgres");
const database = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: say, fresh: true });
const admin = createPool(database.url, { max: 2, applicationName: "bench-writes", statementTimeoutMillis: 600_000 });
try {
  await migrateDatabase(admin);
  await admin.query("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
  await seedUsersAndTasks(admin, async () => "", { users: 50, tasksPerUser: 20 });
  await createMinimalTable(admin);
  for (const table of TABLES) if (table.copy) await copyOurTable(table);
  const statements = ceilingStatements({ minimalTable: false });

  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of KINDS) {
      // Each table goes first in turn, so that none always runs on a machine the others have warmed.
      const order = TABLES.map((_, i) => TABLES[(i + round - 1) % TABLES.length] as Table);
      for (const table of order) {
        const sample = await measure(table, kind, kind === "create" ? createStatement(ROWS) : statements.toggle);
        const key = `${kind}|${table.name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        say(
          `round ${round}/${ROUNDS} ${kind} on ${table.name}: ${sample.perSecond.toFixed(0)}/s, ` +
            `${sample.cpuUs.toFixed(0)} µs PostgreSQL CPU, ${sample.walBytes.toFixed(0)} B WAL ` +
            `(${sample.walRecords.toFixed(1)} records) a statement`,
        );
      }
    }
  }
  report(samples);
} finally {
  await admin.end();
  await database.remove(); // made afresh by the next run anyway
}

/**
 * A copy of our table in a schema of its own, with the same rows, foreign
 * key, checks and triggers (which keep the same task_counts), and the indexes
 * `keepIndex` keeps.
 */
async function copyOurTable(table: Table): Promise<void> {
  const schema = table.searchPath.split(",")[0] as string;
  const options = table.copy?.options ? ` WITH (${table.copy.options})` : "";
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(
    `CREATE TABLE ${schema}.tasks (LIKE public.tasks INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
       FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE)${options}`,
  );
  await admin.query(`INSERT INTO ${schema}.tasks SELECT * FROM public.tasks`);
  const indexes = await admin.query<{ name: string; definition: string }>(
    "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'tasks'",
  );
  for (const { name, definition } of indexes.rows) {
    if (table.copy?.keepIndex(name, definition)) {
      await admin.query(definition.replace(" ON public.tasks ", ` ON ${schema}.tasks `));
    }
  }
  if (table.copy?.extraIndex) await admin.query(`CREATE INDEX ON ${schema}.tasks ${table.copy.extraIndex}`);
  const triggers = await admin.query<{ definition: string }>(
    "SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = 'public.tasks'::regclass AND NOT tgisinternal",
  );
  for (const { definition } of triggers.rows) {
    if (table.copy?.withoutCounts) continue;
    await admin.query(definition.replace(" ON public.tasks ", ` ON ${schema}.tasks `));
  }
  await admin.query(`VACUUM ANALYZE ${schema}.tasks`);
}

/** Runs STATEMENTS of one kind on one table over CONNECTIONS connections, after a short warm-up. */
async function measure(table: Table, kind: Kind, text: string): Promise<Sample> {
  const schema = table.searchPath.split(",")[0] as string;
  // One task of each person in turn, as the bench's requests go: connections seldom wait on one person's counts.
  const targets = (
    await admin.query<{ id: string; user_id: string }>(
      `SELECT id, user_id FROM ${schema}.tasks WHERE title <> $1
       ORDER BY row_number() OVER (PARTITION BY user_id ORDER BY id), user_id`,
      [CREATED_TASK_TITLE],
    )
  ).rows;
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const client = new pg.Client({ connectionString: database.url, options: `-c search_path=${table.searchPath}` });
      await client.connect();
      return client;
    }),
  );
  // A create statement's rows: consecutive targets, so as many people (by id, as the API sends them).
  const rows = kind === "create" ? ROWS : 1;
  // Named, as the API's statements are: each connection parses and plans it once.
  const run = (client: pg.Client, n: number) => {
    const people = Array.from({ length: rows }, (_, j) => targets[(n * rows + j) % targets.length])
      .filter((target) => target !== undefined)
      .sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
    const values = people.flatMap((target) =>
      kind === "create"
        ? [uuidv7(), target.user_id, CREATE_INPUT.title, CREATE_INPUT.description, CREATE_INPUT.priority, null]
        : [target.id, target.user_id],
    );
    return client.query({ name: kind, text, values });
  };
  /** `writes` creates or toggles, in statements of `rows`. */
  const drive = (writes: number) =>
    Promise.all(
      clients.map(async (client, k) => {
        for (let i = 0; i < writes / rows / CONNECTIONS; i++) await run(client, i * CONNECTIONS + k);
      }),
    );
  try {
    await drive(CONNECTIONS * 20);
    const before = (await admin.query<{ lsn: string }>("SELECT pg_current_wal_lsn() AS lsn")).rows[0]?.lsn;
    const cpuBefore = readDatabaseCpuMs(dataDir);
    const started = performance.now();
    await drive(STATEMENTS);
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = readDatabaseCpuMs(dataDir) - cpuBefore;
    const wal = await admin.query<{ type: string; records: string; bytes: string }>(
      `SELECT "resource_manager/record_type" AS type, count AS records, combined_size AS bytes
       FROM pg_get_wal_stats($1, pg_current_wal_lsn(), true) WHERE count > 0`,
      [before],
    );
    const walByType: Sample["walByType"] = {};
    for (const row of wal.rows) {
      walByType[row.type] = { bytes: Number(row.bytes) / STATEMENTS, records: Number(row.records) / STATEMENTS };
    }
    const parts = Object.values(walByType);
    return {
      perSecond: STATEMENTS / seconds,
      cpuUs: (cpuMs * 1000) / STATEMENTS,
      walBytes: parts.reduce((sum, part) => sum + part.bytes, 0),
      walRecords: parts.reduce((sum, part) => sum + part.records, 0),
      walByType,
    };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
    // The next round starts from the same rows: what this one created goes, and VACUUM tidies up after it.
    await admin.query(`DELETE FROM ${schema}.tasks WHERE title = $1`, [CREATED_TASK_TITLE]);
    await admin.query(`VACUUM ANALYZE ${schema}.tasks, public.task_counts`);
  }
}

function spread(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`;
}

interface WriteRow {
  kind: Kind;
  table: string;
  statements_per_second: { median: number; runs: number[] };
  ratio_to_minimal: number;
  postgres_cpu_us: { median: number; runs: number[] };
  wal_bytes: { median: number; runs: number[] };
  wal_records: number;
  wal_by_record_type: Record<string, { bytes: number; records: number }>;
}

/** The medians of one kind of statement on one table, as printed and written. */
function summarize(kind: Kind, table: string, runs: Sample[], minimalPerSecond: number): WriteRow {
  const perSecond = runs.map((s) => s.perSecond);
  const cpu = runs.map((s) => s.cpuUs);
  const wal = runs.map((s) => s.walBytes);
  const byType: WriteRow["wal_by_record_type"] = {};
  for (const type of new Set(runs.flatMap((s) => Object.keys(s.walByType)))) {
    const parts = runs.map((s) => s.walByType[type] ?? { bytes: 0, records: 0 });
    byType[type] = {
      bytes: round(median(parts.map((p) => p.bytes)), 0),
      records: round(median(parts.map((p) => p.records)), 2),
    };
  }
  return {
    kind,
    table,
    statements_per_second: { median: round(median(perSecond), 0), runs: perSecond.map((v) => round(v, 0)) },
    ratio_to_minimal: round(median(perSecond) / minimalPerSecond, 2),
    postgres_cpu_us: { median: round(median(cpu), 0), runs: cpu.map((v) => round(v, 0)) },
    wal_bytes: { median: round(median(wal), 0), runs: wal.map((v) => round(v, 0)) },
    wal_records: round(median(runs.map((s) => s.walRecords)), 1),
    wal_by_record_type: byType,
  };
}

function report(samples: Map<string, Sample[]>): void {
  const results: WriteRow[] = [];
  for (const kind of KINDS) {
    const minimal = median((samples.get(`${kind}|minimal`) ?? []).map((s) => s.perSecond));
    const unit = kind === "create" && ROWS > 1 ? `creates, ${ROWS} to an INSERT` : "statements";
    console.log(
      `\n${kind}: medians of ${ROUNDS} rounds of ${STATEMENTS} ${unit} (spread in brackets, figures a ${kind})`,
    );
    console.log(
      `${"table".padEnd(60)} ${"per second".padEnd(20)} ${"of minimal".padEnd(10)} ${"PG CPU µs".padEnd(16)} WAL bytes (records)`,
    );
    for (const table of TABLES) {
      const row = summarize(kind, table.name, samples.get(`${kind}|${table.name}`) ?? [], minimal);
      results.push(row);
      const { statements_per_second: perSecond, postgres_cpu_us: cpu } = row;
      console.log(
        `${table.name.padEnd(60)} ${`${perSecond.median} (${spread(perSecond.runs)})`.padEnd(20)} ` +
          `${row.ratio_to_minimal.toFixed(2).padEnd(10)} ${`${cpu.median} (${spread(cpu.runs)})`.padEnd(16)} ` +
          `${row.wal_bytes.median} (${row.wal_records.toFixed(1)})`,
      );
    }
  }
  for (const row of results.filter((r) => r.table === "ours" || r.table === "minimal")) {
    const byType = Object.entries(row.wal_by_record_type)
      .filter(([, part]) => part.bytes >= 10)
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([type, part]) => `${type} ${part.bytes} B (${part.records.toFixed(1)})`);
    console.log(`\nWAL of a ${row.kind} on ${row.table}, by record type: ${byType.join(", ")}`);
  }
  const file = path.join(root, "bench", ROWS > 1 ? `writes-${ROWS}-rows.json` : "writes.json");
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, statements: STATEMENTS, create_rows: ROWS, connections: CONNECTIONS, results }, null, 2)}\n`,
  );
  say(`wrote ${path.relative(root, file)}`);
}
