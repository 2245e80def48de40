/**
 * Through a pooler in transaction mode, as Neon's pooled (`-pooler`) host and
 * PgBouncer run: the connection string the README tells a deployment to use.
 * A real PgBouncer (Debian's `pgbouncer`; `.ci/run` installs it) in front of
 * the test run's PostgreSQL, lending a server connection per transaction.
 *
 * - PgBouncer refuses start-up parameters it does not know; the pools sent
 *   `statement_timeout` in theirs, so nothing could connect.
 * - A session's advisory lock means nothing there: it lands on whichever
 *   server connection the pooler picks (and may be taken again by the same
 *   one). Processes starting at once must still apply each migration once.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort } from "../../../scripts/lib/free-port";
import { committedMigrations, createTestDatabase } from "../../../scripts/lib/test-database";
import { createPool, migrateDatabaseAt } from "../src/index";

const PGBOUNCER = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].find((file) => existsSync(file));

describe("through a pooler in transaction mode (PgBouncer)", {
  skip: PGBOUNCER ? false : "pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)",
}, () => {
  let bouncer: ChildProcess | undefined;
  let output = "";
  /** The test database, reached through the pooler. */
  let pooledUrl = "";
  let directUrl = "";
  const folder = mkdtempSync(path.join(os.tmpdir(), "tasks-pgbouncer-"));

  before(async () => {
    directUrl = await createTestDatabase("pooler");
    const direct = new URL(directUrl);
    const port = await freePort();
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
        // Fewer server connections than clients: transactions of different clients share them.
        "default_pool_size = 2",
        "unix_socket_dir =",
        "",
      ].join("\n"),
      { mode: 0o644 },
    );
    bouncer = spawn(PGBOUNCER as string, [...(asRoot ? ["-u", "nobody"] : []), ini], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    bouncer.stdout?.on("data", (chunk) => (output += chunk));
    bouncer.stderr?.on("data", (chunk) => (output += chunk));
    await listening(port, () => output);
    const pooled = new URL(directUrl);
    pooled.port = String(port);
    pooledUrl = pooled.toString();
  });

  after(() => {
    bouncer?.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  test("pools connect and answer (no start-up parameter the pooler refuses), first connections at once included", async () => {
    const pool = createPool(pooledUrl, { max: 4 });
    try {
      // Four statements at once on a new pool: four connections set out together, each with what the
      // pool sends at connection start; every one must get its answer.
      const answers = await Promise.all([1, 2, 3, 4].map((n) => pool.query<{ n: number }>("SELECT $1::int AS n", [n])));
      assert.deepEqual(
        answers.map((answer) => answer.rows[0]?.n),
        [1, 2, 3, 4],
      );
      const { rows } = await pool.query<{ one: number }>("SELECT 1 AS one");
      assert.deepEqual(rows, [{ one: 1 }]);
    } finally {
      await pool.end();
    }
    // The refusal is taken once: a later pool for the same database asks without the parameter.
    const later = createPool(pooledUrl, { max: 1 });
    try {
      assert.equal((await later.query("SELECT 1")).rowCount, 1);
    } finally {
      await later.end();
    }
    const refusals = output.match(/closing because: unsupported startup parameter/g) ?? [];
    // Refused only while the first connections were setting out, never after.
    assert.ok(refusals.length <= 4, `refused ${refusals.length} times:\n${output}`);
  });

  test("three processes migrating an empty database at once apply each migration exactly once", async () => {
    const results = await Promise.allSettled(
      ["a", "b", "c"].map((name) => migrateDatabaseAt(pooledUrl, `tasks-migrations-${name}`)),
    );
    const failures = results.filter((result) => result.status === "rejected");
    assert.deepEqual(
      failures.map((failure) => String((failure as PromiseRejectedResult).reason)),
      [],
      "every process starts",
    );
    const applied = results.map((result) => (result as PromiseFulfilledResult<{ applied: number }>).value.applied);
    const migrations = committedMigrations();
    assert.deepEqual(
      [...applied].sort((a, b) => b - a),
      [migrations, 0, 0],
      "one applied them all, the others found nothing to do",
    );
    // Checked on a direct connection: each migration recorded once, and the schema is there.
    const pool = createPool(directUrl, { max: 1 });
    try {
      const recorded = await pool.query<{ n: number; distinct: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT created_at)::int AS distinct FROM "drizzle"."__drizzle_migrations"',
      );
      assert.deepEqual(recorded.rows[0], { n: migrations, distinct: migrations });
      const table = await pool.query("SELECT to_regclass('public.task_counts') IS NOT NULL AS ok");
      assert.equal(table.rows[0]?.ok, true);
    } finally {
      await pool.end();
    }
  });
});

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
