/**
 * Starts the whole product the way `npm start` does: the embedded PostgreSQL
 * (unless a database URL is given), migrations, the development secret, the
 * production builds when missing, the Task API and the web app with matching
 * configuration, and waits until both answer. Used by scripts/start.ts and by
 * the browser tests (on free ports, with their own database).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { databaseUrlProblem, migrateDatabaseAt } from "@tasks/db";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "@tasks/db/embedded";
import { buildWeb, webBuildIsStale } from "../../apps/web/check-build.mjs";
import { apiBuildIsStale, buildApi } from "./build-api";
import { developmentSecret, secretProblem } from "./development-secret.mjs";
import { startOrphanGuard } from "./orphan-guard";
import { howItEnded, stopProcess, waitForReady } from "./processes";

export const root = path.resolve(import.meta.dirname, "../..");

export interface ProductOptions {
  webPort: number;
  apiPort: number;
  /** Use this database instead of starting the embedded one. */
  databaseUrl?: string;
  embeddedPort?: number;
  dataDir?: string;
  /** Extra environment for both apps (e.g. JWT_EXPIRES_IN for a test). */
  env?: Record<string, string>;
  /** Where the apps' own output goes ("pipe": kept for `output`, for a test that reads the logs). */
  stdio?: "inherit" | "ignore" | "pipe";
  /**
   * Build what is missing or older than its sources first (default). The
   * tests say false: scripts/test.ts builds once before any file runs, since
   * two files starting at once would each start a build in the same folder.
   */
  build?: boolean;
  log?: (message: string) => void;
  /**
   * Aborted while starting: what has started is stopped, and startProduct
   * rejects (the launcher's Ctrl-C before the product is ready).
   */
  signal?: AbortSignal;
  /**
   * The caller stops the product on SIGINT, SIGTERM and SIGHUP (the launcher):
   * the embedded PostgreSQL must not stop on them by itself before the apps.
   */
  leaveProcessSignalsToCaller?: boolean;
}

export interface RunningProduct {
  webUrl: string;
  apiUrl: string;
  /** Stops everything; `deleteData` also deletes the embedded database (a throw-away run's). */
  stop(options?: { deleteData?: boolean }): Promise<void>;
  /** Resolves when either app, or the embedded PostgreSQL, exits on its own: what exited, and how. */
  exited: Promise<string>;
  /** What both apps have written so far, with stdio "pipe" (otherwise nothing). */
  output(): string;
}

/** A variable's value, or undefined when it is unset, empty or spaces alone (as both apps read them). */
export function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * Refuses a port something else listens on, naming the variable that chooses another. (On every
 * interface, IPv6 too: a server on [::1] alone would answer a browser's http://localhost.)
 */
async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  const refusal = await listenRefusal(port);
  if (refusal?.code === "EADDRINUSE") {
    throw new Error(
      `port ${port} (${what}) is already in use (an earlier npm start still running?): stop whatever uses it, ` +
        `or set ${variable} to another port.`,
    );
  }
  if (refusal)
    throw new Error(
      `port ${port} (${what}) cannot be listened on (${refusal.message}): set ${variable} to another port.`,
    );
}

/** Refuses a HOST the apps could not listen on (not an address of this machine, a name unknown). */
async function assertHostIsHere(host: string, port: number): Promise<void> {
  const refusal = await listenRefusal(port, host);
  if (refusal && refusal.code !== "EADDRINUSE") {
    const why =
      refusal.code === "EADDRNOTAVAIL"
        ? "is not an address of this machine"
        : `cannot be listened on (${refusal.message})`;
    throw new Error(`HOST: ${host} ${why}: set HOST to one of this machine's addresses (0.0.0.0: all of them).`);
  }
}

/** Why listening on `port` (of `host`; every interface by default) fails now, or undefined if it would not. */
function listenRefusal(port: number, host?: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * The Task API holds no secret (docs/security.md): the web app's
 * secret (which decrypts the signing keys and the authenticator secrets) and
 * the mail server's credentials stay out of its environment.
 */
export const WEB_ONLY_SECRETS = ["BETTER_AUTH_SECRET", "SMTP_URL"] as const;

function withoutWebSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const apiEnv = { ...env };
  for (const name of WEB_ONLY_SECRETS) delete apiEnv[name];
  return apiEnv;
}

/**
 * The contract: in production (NODE_ENV=production with DATABASE_URL set) a
 * missing or weak secret is a start-up error, not a default; and emails must
 * have somewhere to go. Said before anything starts, naming each variable.
 */
function assertProductionSettings(env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  const weakSecret = secretProblem(env.BETTER_AUTH_SECRET);
  if (weakSecret) problems.push(`BETTER_AUTH_SECRET: ${weakSecret}`);
  for (const [name, why] of [
    ["SMTP_URL", "account emails are sent through it"],
    ["EMAIL_FROM", "account emails are sent through it"],
    ["BETTER_AUTH_URL", "the public origin people reach it at"],
    ["API_URL", "the public origin people reach it at"],
  ] as const) {
    if (!setting(env, name)) problems.push(`${name}: required in production (${why})`);
  }
  if (problems.length > 0) {
    throw new Error(
      `NODE_ENV=production with DATABASE_URL set is a production start; development defaults are not used:\n  ${problems.join("\n  ")}`,
    );
  }
}

/**
 * Builds the API bundle and the web app's production build when missing or
 * older than their sources: after a `git pull`, an old build would serve the
 * old code against the new schema.
 */
export function buildIfStale(env: NodeJS.ProcessEnv, log: (message: string) => void): void {
  if (apiBuildIsStale()) {
    log("building the Task API…");
    buildApi();
  }
  if (webBuildIsStale()) {
    log("building the web app (its build is missing or older than its sources; about a minute)…");
    buildWeb(env);
  }
}

/**
 * The addresses both servers are told, from the caller's environment: the
 * public origins it sets (`BETTER_AUTH_URL`, `API_URL`, `CORS_ORIGINS`: a
 * deployment, or another machine on the network with `HOST`), and otherwise
 * this machine's ports, under one host name everywhere (Better Auth refuses
 * an Origin that differs from its base URL). The API fetches the keys from
 * the web app on this machine, not through the public address.
 */
export function oneMachineEnvironment(
  given: NodeJS.ProcessEnv,
  ports: { webPort: number; apiPort: number },
): NodeJS.ProcessEnv {
  // A development stack with a development secret: reachable from this machine only, unless HOST says otherwise.
  const host = setting(given, "HOST") ?? "127.0.0.1";
  const here = addressHere(host);
  // Where a browser here finds it: localhost, unless it listens on one other address alone.
  const name = here === "127.0.0.1" ? "localhost" : here;
  const webUrl = setting(given, "BETTER_AUTH_URL") ?? `http://${name}:${ports.webPort}`;
  return {
    ...given,
    BETTER_AUTH_URL: webUrl,
    API_URL: setting(given, "API_URL") ?? `http://${name}:${ports.apiPort}`,
    CORS_ORIGINS: setting(given, "CORS_ORIGINS") ?? webUrl,
    AUTH_JWKS_URL: setting(given, "AUTH_JWKS_URL") ?? `http://${here}:${ports.webPort}/api/auth/jwks`,
    HOST: host,
  };
}

/**
 * How this machine reaches a server that listens on `host`, in a URL: every
 * interface (0.0.0.0, ::) by loopback, one address (127.0.0.3, a LAN
 * address, ::1) at that address.
 */
export function addressHere(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startProduct(options: ProductOptions): Promise<RunningProduct> {
  const log = options.log ?? ((message: string) => console.log(`[tasks] ${message}`));
  const dataDir = options.dataDir ?? path.join(root, ".data");
  const children: ChildProcess[] = [];
  let database: EmbeddedDatabase | undefined;
  // Should this process end without stopping what it started (SIGKILL), the guard stops it.
  const orphanGuard = startOrphanGuard(log);

  // The apps first, so that what they are answering still reaches the database; then the database.
  const stop = async ({ deleteData = false } = {}) => {
    await Promise.all(children.map((child) => stopProcess(child, 10_000)));
    await (deleteData ? database?.remove() : database?.stop());
    orphanGuard.release();
  };
  /** Between the steps of start-up: an abort stops here, and the catch below stops what started. */
  const goOn = () => options.signal?.throwIfAborted();

  try {
    // Checked as the apps and `npm run db:migrate` check it, before the migrations below read it: a
    // password with a # or a / taken for the URL's end is named with its fix, not "Invalid URL".
    const urlProblem = options.databaseUrl ? databaseUrlProblem(options.databaseUrl) : null;
    if (urlProblem) throw new Error(`DATABASE_URL: ${urlProblem}`);
    // Production (NODE_ENV=production with a database of its own) gets no development defaults.
    const production = process.env.NODE_ENV === "production" && Boolean(options.databaseUrl);
    if (production) assertProductionSettings({ ...process.env, ...options.env });
    else if (process.env.NODE_ENV === "production") {
      // Said, since a deployment that forgot DATABASE_URL would otherwise start on defaults without a word.
      log(
        "NODE_ENV=production without DATABASE_URL: this is the one-machine set-up (embedded database, development " +
          "secret and defaults); a deployment sets DATABASE_URL, and then gets none of them",
      );
    }
    await assertPortFree(options.webPort, "web app", "WEB_PORT");
    await assertPortFree(options.apiPort, "Task API", "API_PORT");
    const host = setting({ ...process.env, ...options.env }, "HOST");
    if (host) await assertHostIsHere(host, options.webPort);
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const port = options.embeddedPort ?? 54329;
      await assertPortFree(port, "embedded PostgreSQL", "EMBEDDED_POSTGRES_PORT");
      goOn();
      database = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, "postgres"),
        port,
        log,
        leaveProcessSignalsToCaller: options.leaveProcessSignalsToCaller,
      });
      orphanGuard.watch("database", database.pid, database.exited);
      databaseUrl = database.url;
      log(
        `embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.relative(root, database.dataDir) || database.dataDir})`,
      );
    }
    goOn();
    const { applied } = await migrateDatabaseAt(databaseUrl, undefined, { onWait: log, signal: options.signal });
    goOn();
    log(applied > 0 ? `applied ${applied} database migration(s)` : "database schema is up to date");

    const given = { ...process.env, ...options.env };
    const env: NodeJS.ProcessEnv = {
      ...oneMachineEnvironment(given, options),
      BETTER_AUTH_SECRET: setting(given, "BETTER_AUTH_SECRET") ?? developmentSecret(dataDir, log),
      DATABASE_URL: databaseUrl,
      // A development set-up: without SMTP_URL, account emails (with their links) are printed on this console.
      TASKS_ONE_MACHINE: production ? "false" : "true",
      ...options.env,
    };
    const webUrl = env.BETTER_AUTH_URL as string;
    const apiUrl = env.API_URL as string;
    if (setting(given, "BETTER_AUTH_URL") && !setting(given, "API_URL")) {
      log(`BETTER_AUTH_URL is set and API_URL is not: browsers will call the Task API at ${apiUrl}`);
    }
    if (!setting(env, "SMTP_URL")) {
      log("no SMTP_URL: account emails (email confirmation, password reset) are printed here, links included");
    }
    if (options.build !== false) buildIfStale(env, log);
    goOn();

    const stdio = options.stdio ?? "inherit";
    const api = spawn(process.execPath, ["--enable-source-maps", "apps/api/dist/server.mjs"], {
      cwd: root,
      env: { ...withoutWebSecrets(env), PORT: String(options.apiPort) },
      stdio,
    });
    const web = spawn(process.execPath, ["server.mjs"], {
      cwd: path.join(root, "apps/web"),
      env: { ...env, PORT: String(options.webPort), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio,
    });
    children.push(api, web);
    /** How `child` ended, once it has. */
    const ending = (child: ChildProcess) =>
      new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(howItEnded(code, signal))));
    const [apiEnded, webEnded] = [ending(api), ending(web)];
    orphanGuard.watch("app", api.pid, apiEnded);
    orphanGuard.watch("app", web.pid, webEnded);
    let output = "";
    for (const stream of [api.stdout, api.stderr, web.stdout, web.stderr]) {
      stream?.setEncoding("utf8").on("data", (text: string) => {
        output += text;
      });
    }
    // Without it both apps would answer 503 until someone noticed. (A database of one's own: never.)
    const databaseExited = database
      ? database.exited.then(({ code, signal }) => `the embedded PostgreSQL exited (${howItEnded(code, signal)})`)
      : new Promise<string>(() => {});
    const exited = Promise.race([
      apiEnded.then((how) => `the Task API exited (${how})`),
      webEnded.then((how) => `the web app exited (${how})`),
      databaseExited,
    ]);
    const here = addressHere(env.HOST ?? "127.0.0.1");
    // The embedded PostgreSQL gone while the apps start: said at once, not as an app that was not ready in 90 s.
    await Promise.race([
      databaseExited.then((reason) => Promise.reject(new Error(reason))),
      Promise.all([
        waitForReady(`http://${here}:${options.apiPort}/readyz`, api, "the Task API", { signal: options.signal }),
        waitForReady(`http://${here}:${options.webPort}/sign-in`, web, "the web app", { signal: options.signal }),
      ]),
    ]);
    goOn(); // (an abort during the last readiness check)
    return { webUrl, apiUrl, stop, exited, output: () => output };
  } catch (error) {
    await stop();
    throw error;
  }
}
