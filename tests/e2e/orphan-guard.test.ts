/**
 * The guard that stops what `npm start` started when the launcher is killed with SIGKILL
 * (scripts/lib/orphan-guard.ts), on its own: a stand-in launcher tells it of processes, then ends.
 * (web-server.test.ts kills the real launcher.)
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { within } from "../../scripts/lib/processes";

const guardModule = path.resolve(import.meta.dirname, "../../scripts/lib/orphan-guard.ts");

/** A process that runs until signalled; `ended` says with which signal. */
function aProcess(): { child: ChildProcess; ended: Promise<NodeJS.Signals | null> } {
  const child = spawn("sleep", ["120"], { stdio: "ignore" });
  after(() => child.kill("SIGKILL"));
  return { child, ended: new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal))) };
}

/**
 * A launcher stand-in in a process group of its own: it starts a guard and tells it of `app`,
 * `gone` (an app said to have exited: never to be signalled) and `database`; `release`, then tells
 * it all was stopped. Resolves once all is told.
 */
async function standIn(pids: { app: number; gone: number; database: number }, { release = false } = {}) {
  const script = `
    const { startOrphanGuard } = await import(${JSON.stringify(guardModule)});
    const guard = startOrphanGuard(console.log);
    guard.watch("app", ${pids.app}, new Promise(() => {}));
    guard.watch("app", ${pids.gone}, Promise.resolve());
    guard.watch("database", ${pids.database}, new Promise(() => {}));
    ${release ? "guard.release();" : ""}
    setTimeout(() => console.log("told"), 200);
    setInterval(() => {}, 1000);`;
  const launcher = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  after(() => launcher.kill("SIGKILL"));
  const told = new Promise<void>((resolve, reject) => {
    launcher.stdout?.on("data", (text: Buffer) => String(text).includes("told") && resolve());
    launcher.once("exit", () => reject(new Error("the stand-in ended before it had told the guard")));
  });
  assert.equal(await within(told, 20_000), undefined, "the stand-in told the guard");
  return launcher;
}

for (const [how, end] of [
  ["killed with SIGKILL", (launcher: ChildProcess) => launcher.kill("SIGKILL")],
  // A Ctrl-C reaches every process of the terminal's group, the guard's too: the guard stays.
  ["ended by a Ctrl-C to its group", (launcher: ChildProcess) => process.kill(-(launcher.pid as number), "SIGINT")],
] as const) {
  test(`a launcher ${how}: the apps it named are stopped, then the database; one said to have exited is not signalled`, async () => {
    const [app, gone, database] = [aProcess(), aProcess(), aProcess()];
    const order: string[] = [];
    void app.ended.then(() => order.push("app"));
    void database.ended.then(() => order.push("database"));
    const launcher = await standIn({
      app: app.child.pid ?? 0,
      gone: gone.child.pid ?? 0,
      database: database.child.pid ?? 0,
    });
    end(launcher);
    assert.equal(await within(app.ended, 20_000), "SIGTERM");
    assert.equal(await within(database.ended, 20_000), "SIGINT", "PostgreSQL's fast shutdown");
    assert.deepEqual(order, ["app", "database"]);
    assert.equal(gone.child.exitCode ?? gone.child.signalCode, null, "the process said to have exited runs on");
  });
}

test("a launcher that released its guard (it stopped everything itself): nothing is signalled", async () => {
  const [app, gone, database] = [aProcess(), aProcess(), aProcess()];
  const launcher = await standIn(
    { app: app.child.pid ?? 0, gone: gone.child.pid ?? 0, database: database.child.pid ?? 0 },
    { release: true },
  );
  launcher.kill("SIGKILL");
  await sleep(1_500); // (a guard that took the end for a kill would have signalled them by now)
  for (const { child } of [app, gone, database]) assert.equal(child.exitCode ?? child.signalCode, null);
});
