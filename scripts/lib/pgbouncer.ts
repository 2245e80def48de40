/**
 * A real PgBouncer (Debian's `pgbouncer`; `.ci/run` installs it) in front of a test database, in
 * transaction mode: a server connection lent per transaction, as Neon's pooled (`-pooler`) host
 * lends them. For the tests that go through a pooler (packages/db and the Task API).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { stopProcess } from "./processes";

/** Where PgBouncer is installed, or undefined (a test then skips, and says so). */
export const PGBOUNCER_PATH = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].find((file) => existsSync(file));

export const NO_PGBOUNCER = "pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)";

export interface RunningPgBouncer {
  /** The database at `directUrl`, reached through the pooler. */
  url: string;
  /** What PgBouncer wrote so far (its log: refusals, errors). */
  output: () => string;
  /** Stops it (waiting for it to exit) and removes its files. */
  stop: () => Promise<void>;
}

/**
 * Starts PgBouncer for the database at `directUrl`, with `serverConnections` server connections
 * (fewer than the clients', so that transactions of different clients share them).
 */
export async function startPgBouncer(directUrl: string, serverConnections = 2): Promise<RunningPgBouncer> {
  if (!PGBOUNCER_PATH) throw new Error(NO_PGBOUNCER);
  const direct = new URL(directUrl);
  const port = await freePort();
  const folder = mkdtempSync(path.join(os.tmpdir(), "tasks-pgbouncer-"));
  // PgBouncer will not run as root; it drops to `nobody`, who must read its files.
  const asRoot = process.getuid?.() === 0;
  chmodSync(folder, 0o755);
  const userlist = path.join(folder, "userlist.txt");
  writeFileSync(userlist, `"${decodeURIComponent(direct.username)}" "${decodeURIComponent(direct.password)}"\n`, {
    mode: 0o644,
  });
  const ini = path.join(folder, "pgbouncer.ini");
  writeFileSync(
    ini,
    [
      "[databases]",
      `* = host=${direct.hostname} port=${direct.port}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "auth_type = plain",
      `auth_file = ${userlist}`,
      "pool_mode = transaction",
      `default_pool_size = ${serverConnections}`,
      "unix_socket_dir =",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  let output = "";
  const bouncer: ChildProcess = spawn(PGBOUNCER_PATH, [...(asRoot ? ["-u", "nobody"] : []), ini], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  bouncer.stdout?.on("data", (chunk) => (output += chunk));
  bouncer.stderr?.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    await stopProcess(bouncer, 5_000);
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    await listening(port, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const pooled = new URL(directUrl);
  pooled.port = String(port);
  return { url: pooled.toString(), output: () => output, stop };
}

/** Resolves once something accepts connections on `port`; fails with the pooler's output after 10 s. */
async function listening(port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pgbouncer did not start listening on ${port}:\n${log()}`);
}
