/**
 * A first start of the embedded PostgreSQL cut off while initdb makes the
 * cluster (the launcher killed, the machine turned off) must not leave a
 * folder that every later start fails on.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../../scripts/lib/free-port";
import { assertAnswers } from "../../../scripts/lib/test-database";
import { startEmbeddedPostgres } from "../src/embedded";

const embeddedModule = path.resolve(import.meta.dirname, "../src/embedded.ts");

/**
 * Where a test's cluster goes, in a throw-away folder open for the `postgres` user to walk through
 * when the tests run as root (a closed one would send the data elsewhere: see reachableDataDir).
 */
function throwAwayDataDir(prefix: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(folder, 0o755);
  after(() => rmSync(folder, { recursive: true, force: true }));
  return path.join(folder, "postgres");
}

test("a first start killed while its database was being created: the next start creates it again and runs", async () => {
  const dataDir = throwAwayDataDir("tasks-cut-off-");
  const port = await freePort();

  // A process group of its own, initdb in it: all of it is killed at once, as a SIGKILL of the
  // launcher's terminal session would.
  const first = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `const { startEmbeddedPostgres } = await import(${JSON.stringify(embeddedModule)});
       await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, log: () => {} });`,
    ],
    { detached: true, stdio: "ignore" },
  );
  const gone = new Promise((resolve) => first.once("exit", resolve));
  // initdb writes PG_VERSION among its first files: killed then, the cluster is half made.
  const deadline = Date.now() + 60_000;
  while (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    assert.ok(Date.now() < deadline, "initdb never began");
    await sleep(5);
  }
  process.kill(-(first.pid as number), "SIGKILL");
  await gone;

  const said: string[] = [];
  const database = await startEmbeddedPostgres({ dataDir, port, log: (message) => said.push(message) });
  try {
    await assertAnswers(database.url);
    assert.match(said.join("\n"), /first start was cut off while it created its database/);
  } finally {
    await database.stop();
  }

  // Made whole, it is kept: a later start neither says so nor makes it again.
  const later: string[] = [];
  const again = await startEmbeddedPostgres({ dataDir, port, log: (message) => later.push(message) });
  await again.stop();
  assert.doesNotMatch(later.join("\n"), /cut off|Creating/);
});

/** When a process started, as /proc says it (field 22 of its stat). */
function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
}

/** A process that runs for this test (not this one): its pid, and when it started. */
function anotherProcess(): { pid: number; startedAt: string } {
  const other = spawn("sleep", ["120"], { stdio: "ignore" });
  after(() => other.kill("SIGKILL"));
  return { pid: other.pid as number, startedAt: startTimeOf(other.pid as number) };
}

const thisBoot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

/** A data folder as a first start cut off in initdb leaves it, with its marker holding `marker`. */
function halfMadeFolder(prefix: string, marker: string): string {
  const dataDir = throwAwayDataDir(prefix);
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, "PG_VERSION"), "18\n"); // what initdb writes first
  writeFileSync(`${dataDir}.creating`, marker);
  return dataDir;
}

test("a start beside one that is creating the database now refuses, and leaves that one's folder alone", async () => {
  const other = anotherProcess();
  for (const [pid, marker] of [
    [other.pid, `${other.pid} ${thisBoot} ${other.startedAt}`],
    [other.pid, String(other.pid)], // as written before the boot and start time were
    [process.pid, `${process.pid} ${thisBoot} ${startTimeOf(process.pid)}`], // a start in this very process
  ] as const) {
    const dataDir = halfMadeFolder("tasks-creating-", marker);
    await assert.rejects(
      startEmbeddedPostgres({ dataDir, port: await freePort(), log: () => {} }),
      new RegExp(`Another start \\(process ${pid}\\) is creating the embedded PostgreSQL database`),
      marker,
    );
    assert.equal(existsSync(path.join(dataDir, "PG_VERSION")), true, "its folder is as it was");
  }
});

test("a start cut off, whose pid names another process now (after a restart of the machine or a container), is made again", async () => {
  const other = anotherProcess();
  for (const [marker, when] of [
    [`${other.pid} 00000000-0000-4000-8000-000000000000 -`, "in another boot of the machine"],
    [`${other.pid} ${thisBoot} 1`, "by a process that started at another time"],
    [`${process.pid} ${thisBoot} -`, "by a process whose pid this start has now"],
  ] as const) {
    const dataDir = halfMadeFolder("tasks-restarted-", marker);
    const said: string[] = [];
    const database = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      log: (message) => said.push(message),
    });
    try {
      await assertAnswers(database.url);
      assert.match(said.join("\n"), /first start was cut off while it created its database/, when);
    } finally {
      await database.stop();
    }
  }
});

test("a folder with something else in it, which initdb refuses, is refused again at the next start, not deleted", async () => {
  const dataDir = throwAwayDataDir("tasks-not-empty-");
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o777); // (for the postgres user, when the tests run as root: refused for what is in it)
  writeFileSync(path.join(dataDir, "notes.txt"), "mine\n");
  for (const start of ["first", "second"]) {
    await assert.rejects(
      startEmbeddedPostgres({ dataDir, port: await freePort(), log: () => {} }),
      /could not create its database/,
      start,
    );
    assert.equal(readFileSync(path.join(dataDir, "notes.txt"), "utf8"), "mine\n", `kept after the ${start} start`);
  }
});
