/**
 * `npm test` (after lint and type-check): starts a fresh embedded PostgreSQL
 * on a free port, applies the migrations, and runs every test file with
 * Node's test runner against it. Tests that stop their database start their
 * own. Exits non-zero if anything fails.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { createPool, migrateDatabase } from "@tasks/db";
import { startEmbeddedPostgres } from "@tasks/db/embedded";
import { chromiumPath } from "./lib/chromium";
import { freePort } from "./lib/free-port";
import { OUTSIDE_TESTS } from "./lib/outside-tests-reporter.mjs";
import { buildIfStale } from "./lib/product";

const root = path.resolve(import.meta.dirname, "..");
const testDirs = ["packages/task-schema/test", "packages/db/test", "apps/api/test", "tests/e2e"];

async function testFiles(): Promise<string[]> {
  // Files named on the command line are found from where it was typed; the runner runs in the root.
  const only = process.argv.slice(2).map((file) => path.relative(root, path.resolve(file)));
  if (only.length > 0) return only;
  const files: string[] = [];
  for (const dir of testDirs) {
    const entries = await readdir(path.join(root, dir)).catch(() => []);
    files.push(...entries.filter((name) => name.endsWith(".test.ts")).map((name) => path.join(dir, name)));
  }
  return files.sort();
}

const files = await testFiles();
// Only where a chosen file drives the browser (tests/e2e/product.ts, launchBrowser): some of the
// end-to-end files start servers alone.
if (files.some((file) => readFileSync(path.join(root, file), "utf8").includes("launchBrowser("))) {
  const chromium = chromiumPath();
  if (!existsSync(chromium)) {
    console.error(
      `[test] The browser tests need Chromium at ${chromium}: install it (Debian: apt-get install -y chromium) ` +
        "or set CHROMIUM_PATH to where it is. No test was run.",
    );
    process.exit(1);
  }
}

// What the browser tests start is built here, once (`npm test` has just built it all; a run of
// chosen files may find it missing or older than its sources): two files starting at once must not
// each start a build in the same folder.
buildIfStale(process.env, (message) => console.log(`[test] ${message}`));

// One throw-away cluster per run, so two runs at once never share a directory.
const dataDir = path.join(root, ".data", `test-postgres-${process.pid}`);
// The ports this run's processes have handed out (see free-port.ts), so no two of them pick one port.
const portsDir = path.join(root, ".data", `test-ports-${process.pid}`);
rmSync(portsDir, { recursive: true, force: true });
mkdirSync(portsDir, { recursive: true });
process.env.TASKS_TEST_PORTS_DIR = portsDir;
const database = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: () => {}, fresh: true });
const pool = createPool(database.url);
await migrateDatabase(pool);
await pool.end();

/**
 * Files that start whole products and servers one after another (npm start, the web app's own
 * server): beside a browser test, they took the two cores from its product for minutes, and its
 * pages missed their 30 s (the last tests of two-factor.test.ts, which runs beside this one when
 * files go in name order). They run after the rest, one at a time.
 */
const RUN_ALONE = new Set(["tests/e2e/web-server.test.ts"]);
const alone = files.filter((file) => RUN_ALONE.has(file));
const together = files.filter((file) => !alone.includes(file));
console.log(`Running ${files.length} test files against PostgreSQL at ${database.dataDir}`);
// What hangs fails after 10 minutes (every file takes under 2 here) instead of holding CI until its
// own limit: a connection lent and never given back once left `pool.end()` waiting for 80 minutes.
// Node 20 gives each file 10 minutes and then ends it; Node 26 gives each test, suite and hook
// 10 minutes, and --test-force-exit ends the file once they are over, although something it opened
// (that connection's socket) would keep it alive.
const TEST_TIMEOUT_MS = 10 * 60_000;
/** Runs `chosen` with Node's test runner, `concurrency` files at a time; its exit code. */
function runTestFiles(chosen: string[], concurrency: number): Promise<number> {
  if (chosen.length === 0) return Promise.resolve(0);
  const runner = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${concurrency}`,
      `--test-timeout=${TEST_TIMEOUT_MS}`,
      "--test-force-exit",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      // What failed outside every test, said again at the end (see the reporter's comment).
      "--test-reporter=./scripts/lib/outside-tests-reporter.mjs",
      "--test-reporter-destination=stdout",
      // TEST_NAME_PATTERN: only the tests whose names match (Node refuses the flag in NODE_OPTIONS).
      ...(process.env.TEST_NAME_PATTERN ? [`--test-name-pattern=${process.env.TEST_NAME_PATTERN}`] : []),
      ...chosen,
    ],
    {
      cwd: root,
      // (Through a pipe, the spec reporter writes no colours: FORCE_COLOR would reach every process
      // the tests start, whose output some tests read.)
      stdio: ["inherit", "pipe", "inherit"],
      env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: "test" },
    },
  );
  runner.stdout.pipe(process.stdout);
  createInterface({ input: runner.stdout }).on("line", (line) => {
    if (line.startsWith(OUTSIDE_TESTS)) failedOutsideTests.push(line);
  });
  return new Promise((resolve) => runner.on("close", (exitCode) => resolve(exitCode ?? 1)));
}

/** The lines of outside-tests-reporter.mjs so far: files whose process ended badly after their tests. */
const failedOutsideTests: string[] = [];

const togetherCode = await runTestFiles(together, 2);
if (alone.length > 0) console.log(`Then, one at a time: ${alone.join(", ")}`);
const aloneCode = await runTestFiles(alone, 1);
const code = togetherCode || aloneCode;
if (failedOutsideTests.length > 0) {
  console.log(
    `\nWhat failed outside any test (said above among the rest, and again here):\n${failedOutsideTests.join("\n")}`,
  );
}
await database.remove();
rmSync(portsDir, { recursive: true, force: true });
process.exit(code);
