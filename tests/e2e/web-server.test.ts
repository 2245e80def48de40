/**
 * `npm run start:web` (apps/web/server.mjs) refuses to run misconfigured: in
 * production (the default there) a missing secret, SMTP_URL or EMAIL_FROM, or
 * a bad TRUSTED_PROXY_HOPS, stops start-up with a message naming the
 * variable. Configured for https, its pages carry HSTS.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createPool } from "@tasks/db";
import { decodeJwt } from "jose";
import { BUILD_DONE_FILE, webBuildIsStale } from "../../apps/web/check-build.mjs";
import { freePort } from "../../scripts/lib/free-port";
import { backendPid, waitUntilBlockedBy } from "../../scripts/lib/lock-waits";
import { stopProcess, waitForReady, within } from "../../scripts/lib/processes";
import { oneMachineEnvironment, root, WEB_ONLY_SECRETS } from "../../scripts/lib/product";
import { cookiesOf, newPerson, postAuth, startTestProduct } from "./product";

const webDir = path.resolve(import.meta.dirname, "../../apps/web");

/** A child's output as it comes (stdout and stderr together), and its exit code once it exits. */
function watch(child: ChildProcess): { output: () => string; exited: Promise<number | null> } {
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { output: () => output, exited };
}

/** A new folder in the system's temporary one, removed after the file's tests. */
function throwAwayFolder(prefix: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** npm start's environment here: this machine's PATH and HOME, the tests' database, free ports. */
async function launcherEnvironment(more: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    DATABASE_URL: process.env.DATABASE_URL ?? "",
    WEB_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    ...more,
  };
}

/** Starts the web server with only this environment; its exit code and output (or "running" after 30 s). */
async function startWeb(env: Record<string, string>): Promise<{ code: number | "running"; output: string }> {
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: webDir,
    env: { PATH: process.env.PATH ?? "", PORT: String(await freePort()), ...env },
  });
  const { output, exited } = watch(child);
  const code = await within(
    exited.then((exitCode) => exitCode ?? 1),
    30_000,
  );
  child.kill("SIGKILL");
  return { code, output: output() };
}

describe("the web app's server refuses a bad configuration", () => {
  test("production without BETTER_AUTH_SECRET: exit 1 naming it, NODE_ENV set but empty alike", async () => {
    for (const nodeEnv of [{}, { NODE_ENV: "" }] as Record<string, string>[]) {
      const { code, output } = await startWeb({ DATABASE_URL: process.env.DATABASE_URL ?? "", ...nodeEnv });
      assert.equal(code, 1, output);
      assert.match(output, /BETTER_AUTH_SECRET/);
      assert.doesNotMatch(output, /development secret/, "no secret was made up");
    }
  });

  test("no DATABASE_URL, in development too (as the API): exit 1 naming it", async () => {
    for (const nodeEnv of ["production", "development"]) {
      const { code, output } = await startWeb({ NODE_ENV: nodeEnv, BETTER_AUTH_SECRET: crypto.randomUUID() });
      assert.equal(code, 1, output);
      assert.match(output, /DATABASE_URL: required/, nodeEnv);
    }
  });

  test("a DATABASE_URL that is not a valid URL (a # in the password): exit 1 naming it", async () => {
    const { code, output } = await startWeb({ DATABASE_URL: "postgres://tasks:pa/ss#word@db.example/tasks" });
    assert.equal(code, 1, output);
    assert.match(output, /DATABASE_URL: is not a valid URL \(percent-encode/);
  });

  test("production with a weak BETTER_AUTH_SECRET of 32 characters or more: exit 1 saying why", async () => {
    for (const [secret, why] of [
      ["better-auth-secret-12345678901234567890", /BETTER_AUTH_SECRET: is Better Auth's published default/],
      ["x".repeat(40), /BETTER_AUTH_SECRET: has too few different characters/],
      ["passwordpasswordpasswordpassword", /BETTER_AUTH_SECRET: has too few different characters/],
    ] as const) {
      const { code, output } = await startWeb({
        DATABASE_URL: process.env.DATABASE_URL ?? "",
        BETTER_AUTH_SECRET: secret,
      });
      assert.equal(code, 1, output);
      assert.match(output, why);
    }
  });

  const production = {
    DATABASE_URL: process.env.DATABASE_URL ?? "",
    BETTER_AUTH_SECRET: "a production secret of at least 32 characters",
  };
  /** All production asks for, at https://tasks.test. */
  const wholeProduction = {
    ...production,
    SMTP_URL: "smtp://127.0.0.1:2525",
    EMAIL_FROM: "Tasks <no-reply@tasks.test>",
    BETTER_AUTH_URL: "https://tasks.test",
    API_URL: "https://api.tasks.test",
  };

  /** The web server on `port` of loopback, configured for production at https://tasks.test (`more` on top). */
  const startProductionWeb = (port: number, more: Record<string, string> = {}, stdio: "ignore" | "pipe" = "ignore") =>
    spawn(process.execPath, ["server.mjs"], {
      cwd: webDir,
      stdio,
      env: {
        PATH: process.env.PATH ?? "",
        PORT: String(port),
        HOST: "127.0.0.1",
        ...wholeProduction,
        ...more,
      },
    });

  test("production without SMTP_URL or EMAIL_FROM: exit 1 naming it", async () => {
    const noSmtp = await startWeb({ ...production, EMAIL_FROM: "Tasks <no-reply@tasks.test>" });
    assert.equal(noSmtp.code, 1, noSmtp.output);
    assert.match(noSmtp.output, /SMTP_URL: required in production/);
    const noFrom = await startWeb({ ...production, SMTP_URL: "smtp://127.0.0.1:2525" });
    assert.equal(noFrom.code, 1, noFrom.output);
    assert.match(noFrom.output, /EMAIL_FROM: required in production/);
  });

  test("production without BETTER_AUTH_URL or API_URL: exit 1 naming it (no localhost in links and tokens)", async () => {
    const mail = { SMTP_URL: "smtp://127.0.0.1:2525", EMAIL_FROM: "Tasks <no-reply@tasks.test>" };
    const noOrigin = await startWeb({ ...production, ...mail, API_URL: "https://api.tasks.test" });
    assert.equal(noOrigin.code, 1, noOrigin.output);
    assert.match(noOrigin.output, /BETTER_AUTH_URL: required in production/);
    const noApi = await startWeb({ ...production, ...mail, BETTER_AUTH_URL: "https://tasks.test" });
    assert.equal(noApi.code, 1, noApi.output);
    assert.match(noApi.output, /API_URL: required in production/);
  });

  test("served for an https origin, every page says Strict-Transport-Security", async () => {
    const port = await freePort();
    const child = startProductionWeb(port);
    try {
      await waitForReady(`http://127.0.0.1:${port}/sign-in`, child, "the web app");
      // Its session cookie is Secure (the contract: in production), so it never goes over plain http.
      const person = newPerson("Sage");
      const signedUp = await fetch(`http://127.0.0.1:${port}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://tasks.test" },
        body: JSON.stringify(person),
      });
      assert.equal(signedUp.status, 200, await signedUp.text());
      const sessionCookie = signedUp.headers.getSetCookie().find((cookie) => /session_token=/.test(cookie)) ?? "";
      assert.match(sessionCookie, /; Secure/i);
      assert.match(sessionCookie, /; HttpOnly/i);
      const response = await fetch(`http://127.0.0.1:${port}/sign-in`);
      assert.match(response.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
      assert.match(response.headers.get("content-security-policy") ?? "", /upgrade-insecure-requests/);
      assert.match(
        response.headers.get("content-security-policy") ?? "",
        /connect-src 'self' https:\/\/api\.tasks\.test/,
      );
    } finally {
      await stopProcess(child, 5_000);
    }
  });

  test("SIGTERM: a request under way is answered with Connection: close, its connection closed, and the server exits at once", async () => {
    const port = await freePort();
    const child = startProductionWeb(port);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitForReady(`http://127.0.0.1:${port}/sign-in`, child, "the web app");
      // A sign-in whose body is still coming when the shutdown begins: under way, its answer not begun.
      const body = JSON.stringify({ email: "nobody@example.test", password: "not a password of anyone" });
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => (received += chunk));
      const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      socket.write(
        `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: https://tasks.test\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body.slice(0, 10)}`,
      );
      await sleep(500);
      const stopping = Date.now();
      child.kill("SIGTERM");
      await sleep(300);
      socket.write(body.slice(10));
      assert.equal(await within(closed, 8_000), undefined, `the connection was closed after its answer: ${received}`);
      assert.match(received, /^HTTP\/1\.1 401 /);
      assert.match(received, /\r\nconnection: close\r\n/i);
      assert.equal(await within(exited, 8_000), 0);
      assert.ok(Date.now() - stopping < 8_000, "it did not wait for its 10 s limit");
    } finally {
      await stopProcess(child, 5_000);
    }
  });

  test("a port already taken: exit 1 with one line naming PORT, no stack", async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    after(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const { code, output } = await startWeb({
      ...wholeProduction,
      HOST: "127.0.0.1",
      PORT: String(port),
    });
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*Set PORT`));
    assert.doesNotMatch(output, /^\s+at /m, "no stack trace");
  });

  test("a HOST that is no address of this machine: exit 1 with one line naming HOST, not PORT", async () => {
    const { code, output } = await startWeb({
      ...wholeProduction,
      HOST: "192.0.2.1", // for documentation, never assigned
      PORT: String(await freePort()),
    });
    assert.equal(code, 1, output);
    assert.match(
      output,
      /could not listen on 192\.0\.2\.1:\d+: .*192\.0\.2\.1 is not an address of this machine: set HOST/,
    );
    assert.doesNotMatch(output, /Set PORT|^\s+at /m);
  });

  test("a page whose read of the database fails (here, a database not migrated yet) logs no session token", async () => {
    // A database of its own with no tables: the web app started before any API has migrated it.
    const admin = createPool(process.env.DATABASE_URL ?? "", { max: 1 });
    const name = `tasks_unmigrated_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    after(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    const unmigrated = new URL(process.env.DATABASE_URL ?? "");
    unmigrated.pathname = `/${name}`;
    const port = await freePort();
    const child = startProductionWeb(port, { DATABASE_URL: unmigrated.toString() }, "pipe");
    const { output } = watch(child);
    try {
      await waitForReady(`http://127.0.0.1:${port}/sign-in`, child, "the web app");
      // A session cookie signed with the secret, as a browser signed in before would send it: the
      // page looks its token up, and that statement fails.
      const token = "a-session-token-that-must-not-be-logged";
      const signature = createHmac("sha256", production.BETTER_AUTH_SECRET).update(token).digest("base64");
      const cookie = `__Secure-better-auth.session_token=${encodeURIComponent(`${token}.${signature}`)}`;
      const page = await fetch(`http://127.0.0.1:${port}/tasks`, { headers: { cookie }, redirect: "manual" });
      await page.text();
      // The log line may come a moment after the answer; and the rest of its record after it.
      for (const deadline = Date.now() + 10_000; !/sessions/.test(output()) && Date.now() < deadline; ) {
        await sleep(50);
      }
      await sleep(500);
      assert.match(output(), /sessions/, `the failed statement was logged:\n${output()}`);
      assert.doesNotMatch(output(), new RegExp(token), "the token is not in the log");
    } finally {
      await stopProcess(child, 5_000);
    }
  });

  test("a TRUSTED_PROXY_HOPS that is not a small whole number: exit 1 naming it", async () => {
    const { code, output } = await startWeb({ TRUSTED_PROXY_HOPS: "yes" });
    assert.equal(code, 1, output);
    assert.match(output, /TRUSTED_PROXY_HOPS/);
  });
});

describe("npm start's addresses", () => {
  test("the public origins set in the environment are what both servers are told; unset, this machine's ports", () => {
    assert.deepEqual(pick(oneMachineEnvironment({}, { webPort: 3000, apiPort: 8000 })), {
      BETTER_AUTH_URL: "http://localhost:3000",
      API_URL: "http://localhost:8000",
      CORS_ORIGINS: "http://localhost:3000",
      AUTH_JWKS_URL: "http://127.0.0.1:3000/api/auth/jwks",
      HOST: "127.0.0.1",
    });
    const deployed = { BETTER_AUTH_URL: "https://tasks.example.com", API_URL: "https://api.example.com" };
    assert.deepEqual(pick(oneMachineEnvironment({ ...deployed, HOST: "0.0.0.0" }, { webPort: 3000, apiPort: 8000 })), {
      ...deployed,
      CORS_ORIGINS: "https://tasks.example.com",
      // The keys from the web app on this machine, not through the public address.
      AUTH_JWKS_URL: "http://127.0.0.1:3000/api/auth/jwks",
      HOST: "0.0.0.0",
    });
    const one = (HOST: string) => oneMachineEnvironment({ HOST }, { webPort: 3000, apiPort: 8000 }).AUTH_JWKS_URL;
    assert.equal(one("127.0.0.3"), "http://127.0.0.3:3000/api/auth/jwks");
    assert.equal(one("::1"), "http://[::1]:3000/api/auth/jwks");
    const origins = "https://tasks.example.com,https://tasks.example.org";
    assert.equal(oneMachineEnvironment({ CORS_ORIGINS: origins }, { webPort: 1, apiPort: 2 }).CORS_ORIGINS, origins);
    // Spaces alone are unset, as both apps read them (a HOST of " " was not an address to listen on).
    const blank = { HOST: " ", BETTER_AUTH_URL: "  ", API_URL: " ", CORS_ORIGINS: " ", AUTH_JWKS_URL: " " };
    assert.deepEqual(
      pick(oneMachineEnvironment(blank, { webPort: 3000, apiPort: 8000 })),
      pick(oneMachineEnvironment({}, { webPort: 3000, apiPort: 8000 })),
    );
  });

  test("with HOST set to one address, both servers listen there alone, and start-up waits for them there", async () => {
    const product = await startTestProduct({ HOST: "127.0.0.3" });
    assert.match(product.webUrl, /^http:\/\/127\.0\.0\.3:\d+$/, "the address printed is where it listens");
    assert.match(product.apiUrl, /^http:\/\/127\.0\.0\.3:\d+$/);
    for (const page of [`${product.apiUrl}/readyz`, `${product.webUrl}/sign-in`]) {
      assert.equal((await fetch(page)).status, 200, page);
      await assert.rejects(fetch(page.replace("127.0.0.3", "127.0.0.1")), `nothing listens on 127.0.0.1: ${page}`);
    }
  });
});

function pick(env: NodeJS.ProcessEnv) {
  const { BETTER_AUTH_URL, API_URL, CORS_ORIGINS, AUTH_JWKS_URL, HOST } = env;
  return { BETTER_AUTH_URL, API_URL, CORS_ORIGINS, AUTH_JWKS_URL, HOST };
}

describe("npm start in production (NODE_ENV=production with DATABASE_URL set)", () => {
  test("no development secret and no console emails: exit 1 before starting anything, naming each variable", async () => {
    for (const secret of [undefined, "too-short", "0".repeat(32)]) {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
        cwd: root,
        env: await launcherEnvironment({ NODE_ENV: "production", ...(secret ? { BETTER_AUTH_SECRET: secret } : {}) }),
      });
      const { output: outputSoFar, exited } = watch(child);
      const code = await within(exited, 30_000);
      // The launcher stops what it started on SIGTERM.
      if (code === "running") {
        child.kill("SIGTERM");
        await exited;
      }
      const output = outputSoFar();
      assert.equal(code, 1, output);
      assert.match(
        output,
        secret === "0".repeat(32) ? /BETTER_AUTH_SECRET: has too few/ : /BETTER_AUTH_SECRET: required/,
      );
      for (const name of ["SMTP_URL", "EMAIL_FROM", "BETTER_AUTH_URL", "API_URL"]) {
        assert.match(output, new RegExp(`${name}: required`));
      }
      assert.doesNotMatch(output, /development secret|building|listening/, "nothing was made or started");
    }
  });
});

describe("npm start", () => {
  test("an app killed by a signal while starting (the OOM killer's say) is said to be, not waited for", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600_000)"]);
    await once(child, "spawn");
    child.kill("SIGKILL");
    await once(child, "exit");
    await assert.rejects(
      waitForReady(`http://127.0.0.1:${await freePort()}/`, child, "the web app", { timeoutMs: 5_000 }),
      /the web app exited during start-up \(killed by SIGKILL\)/,
    );
  });

  test("a web build cut off after Next.js wrote its BUILD_ID (a Ctrl-C during the first start) counts as missing, and is built again", () => {
    const cutOff = throwAwayFolder("tasks-web-build-");
    writeFileSync(path.join(cutOff, "BUILD_ID"), "cut-off\n");
    assert.equal(webBuildIsStale(cutOff), true, "BUILD_ID alone: unfinished");
    writeFileSync(path.join(cutOff, BUILD_DONE_FILE), "");
    assert.equal(webBuildIsStale(cutOff), false, "marked finished, and newer than its sources");
    // The build these tests run on was made the same way (npm test's `npm run build`, or the runner's).
    assert.equal(webBuildIsStale(), false, "the tests' build was marked finished");
  });

  for (const [how, stop] of [
    // A terminal's Ctrl-C: SIGINT to every process of the group.
    ["Ctrl-C", (npm: ChildProcess) => process.kill(-(npm.pid as number), "SIGINT")],
    // A service manager: SIGTERM to npm alone, which hands it to the launcher, which stops the rest.
    ["SIGTERM to npm", (npm: ChildProcess) => npm.kill("SIGTERM")],
  ] as const) {
    test(`prints where the web app and the Task API are, which answer there; ${how} stops both and frees their ports`, async () => {
      // An SMTP_URL with credentials in it, as a deployment's has (nothing is sent here).
      const env = await launcherEnvironment({ SMTP_URL: "smtp://tasks:mail-password@127.0.0.1:2525" });
      // Its own process group, as a terminal runs a command: Ctrl-C sends SIGINT to the whole group.
      const npm = spawn("npm", ["start"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      const group = npm.pid as number;
      after(() => {
        try {
          process.kill(-group, "SIGKILL");
        } catch {
          // already gone
        }
      });
      const { output, exited } = watch(npm);
      // Every process of the group writes to these pipes: they close once the last of them has exited.
      const allGone = new Promise<string>((resolve) => npm.on("close", () => resolve("all gone")));

      const deadline = Date.now() + 120_000;
      while (!/ready: open \S+/.test(output())) {
        assert.ok(Date.now() < deadline, `no ready line within 2 minutes:\n${output()}`);
        assert.equal(await within(exited, 200), "running", `npm start exited before it was ready:\n${output()}`);
      }
      const webUrl = String(/ready: open (\S+)/.exec(output())?.[1]);
      const apiUrl = String(/Task API: (\S+)/.exec(output())?.[1]);
      assert.equal(webUrl, `http://localhost:${env.WEB_PORT}`, output());
      assert.equal(apiUrl, `http://localhost:${env.API_PORT}`, output());
      assert.equal((await fetch(`${webUrl}/sign-in`)).status, 200);
      assert.equal((await fetch(`${apiUrl}/readyz`)).status, 200);
      // The Task API holds no secret: the web app's are not in its environment (the web app's has them).
      const apiEnvironment = environmentOfServer("apps/api/dist/server.mjs", String(env.API_PORT));
      const webEnvironment = environmentOfServer("server.mjs", String(env.WEB_PORT));
      for (const name of WEB_ONLY_SECRETS) {
        assert.equal(apiEnvironment.get(name), undefined, `no ${name} in the API's environment`);
        assert.ok(webEnvironment.get(name), `the web app has ${name} (so the environments were read)`);
      }

      stop(npm);
      // (npm itself may end by the signal, as it does in a terminal; what matters is what it started.)
      assert.equal(await within(allGone, 30_000), "all gone", output());
      assert.match(output(), /stopping/);
      for (const url of [`${webUrl}/sign-in`, `${apiUrl}/healthz`]) {
        await assert.rejects(fetch(url), `nothing listens at ${url} once npm start has exited`);
      }
    });
  }
});

/** The environment of the running Node.js server started with `script` on `port` (read from /proc). */
function environmentOfServer(script: string, port: string): Map<string, string> {
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (!command.some((part) => part.endsWith(script))) continue;
      const environment = new Map(
        readFileSync(`/proc/${pid}/environ`, "utf8")
          .split("\0")
          .filter(Boolean)
          .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)] as const),
      );
      if (environment.get("PORT") === port) return environment;
    } catch {
      // a process that ended meanwhile, or not ours to read
    }
  }
  assert.fail(`no process of ${script} on port ${port}`);
}

/** Whether something accepts TCP connections on this loopback port. */
function listens(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const answer = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once("connect", () => answer(true)).once("error", () => answer(false));
  });
}

describe("npm start with its embedded PostgreSQL", () => {
  /**
   * The launcher alone (SIGTERM goes to it, as a container's stop sends it to
   * its first process), on free ports, with a database of its own in a
   * throw-away folder (open to the `postgres` user when the tests run as root).
   */
  async function startLauncher() {
    const dataDir = mkdtempSync(path.join(tmpdir(), "tasks-launcher-"));
    chmodSync(dataDir, 0o755);
    const env = await launcherEnvironment({
      TASKS_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    });
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const { output, exited } = watch(launcher);
    // Every process it started writes to these pipes: they close once the last of them has exited.
    const allGone = new Promise<string>((resolve) => launcher.on("close", () => resolve("all gone")));
    after(() => {
      try {
        process.kill(-(launcher.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
      rmSync(dataDir, { recursive: true, force: true });
    });
    const ports = [env.WEB_PORT, env.API_PORT, env.EMBEDDED_POSTGRES_PORT].map(Number);
    const databaseUrl = () => {
      const { password } = JSON.parse(readFileSync(path.join(dataDir, "postgres.json"), "utf8")) as {
        password: string;
      };
      return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/postgres`;
    };
    /** Resolves once the launcher has printed a line matching `line`; fails if it exits or 2 minutes pass. */
    const printed = async (line: RegExp) => {
      const deadline = Date.now() + 120_000;
      while (!line.test(output())) {
        assert.ok(Date.now() < deadline, `no ${line} within 2 minutes:\n${output()}`);
        assert.equal(await within(exited, 100), "running", `npm start exited first:\n${output()}`);
      }
    };
    return { launcher, output, exited, allGone, ports, databaseUrl, printed };
  }

  test("SIGTERM: a request in flight is answered from the database, then the apps stop, then the database", async () => {
    const { launcher, output, exited, allGone, ports, databaseUrl, printed } = await startLauncher();
    await printed(/ready: open \S+/);
    const webUrl = String(/ready: open (\S+)/.exec(output())?.[1]);
    const apiUrl = String(/Task API: (\S+)/.exec(output())?.[1]);
    const signedUp = await postAuth(webUrl, "/sign-up/email", newPerson());
    assert.equal(signedUp.status, 200);
    const tokenAnswer = await fetch(`${webUrl}/api/auth/token`, { headers: { cookie: cookiesOf(signedUp) } });
    const { token } = (await tokenAnswer.json()) as { token: string };
    const userId = String(decodeJwt(token).sub);

    // A create held in flight: the tasks table is locked against writes until this transaction ends.
    const pool = createPool(databaseUrl());
    const lock = await pool.connect();
    lock.on("error", () => {});
    await lock.query("BEGIN");
    await lock.query("LOCK TABLE tasks IN SHARE MODE");
    const holder = await backendPid(lock);
    const created = fetch(`${apiUrl}/api/${userId}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "written as the product stops" }),
    });
    await waitUntilBlockedBy(pool, holder, "the create never waited on the lock", { timeoutMs: 30_000 });

    launcher.kill("SIGTERM");
    // Long enough for a database stopped at once to have gone (a fast shutdown takes well under this).
    await sleep(1_500);
    const released = await lock.query("COMMIT").then(
      () => "committed",
      (error: Error) => `the database went first: ${error.message}`,
    );
    lock.release();
    await pool.end().catch(() => {});
    assert.equal(released, "committed");
    const answer = await created;
    assert.equal(answer.status, 201, await answer.text());

    assert.equal(await within(exited, 30_000), 0, output());
    assert.equal(await within(allGone, 30_000), "all gone", output());
    for (const port of ports) assert.equal(await listens(port), false, `nothing listens on ${port} any more`);
  });

  test("SIGTERM while the apps start: what had started stops, and it exits 0", async () => {
    const { launcher, output, exited, allGone, ports, printed } = await startLauncher();
    // The database runs and is migrated, and both apps have been started: the Task API listens.
    await printed(/Server listening at/);
    launcher.kill("SIGTERM");
    assert.equal(await within(exited, 30_000), 0, output());
    assert.equal(await within(allGone, 30_000), "all gone", output());
    for (const port of ports) assert.equal(await listens(port), false, `nothing listens on ${port} any more`);
  });

  for (const [how, stop] of [
    // A terminal's Ctrl-C reaches every process of its group, PostgreSQL included, which stops at once.
    ["Ctrl-C", (launcher: ChildProcess) => process.kill(-(launcher.pid as number), "SIGINT")],
    // The terminal closed: SIGHUP to the launcher (the apps get their own).
    ["SIGHUP", (launcher: ChildProcess) => launcher.kill("SIGHUP")],
  ] as const) {
    test(`${how}: everything stops, the database included, and it exits 0`, async () => {
      const { launcher, output, exited, allGone, ports, printed } = await startLauncher();
      await printed(/ready: open \S+/);
      stop(launcher);
      assert.equal(await within(exited, 30_000), 0, output());
      assert.equal(await within(allGone, 30_000), "all gone", output());
      for (const port of ports) assert.equal(await listens(port), false, `nothing listens on ${port} any more`);
    });
  }

  test("PostgreSQL killed while the product runs: it says so, stops the apps and exits 1", async () => {
    const { output, exited, allGone, ports, databaseUrl, printed } = await startLauncher();
    await printed(/ready: open \S+/);
    // The server's main process is the parent of every connection's process. The connection's process
    // is read while the connection is open: once it ends, that process exits and its /proc entry goes.
    const pool = createPool(databaseUrl());
    let postmaster: number;
    try {
      const backend = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      postmaster = Number(readFileSync(`/proc/${backend.rows[0]?.pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
    } finally {
      await pool.end();
    }
    process.kill(postmaster, "SIGKILL");

    assert.equal(await within(exited, 30_000), 1, output());
    assert.match(output(), /the embedded PostgreSQL exited \(killed by SIGKILL\); stopping the rest/);
    assert.equal(await within(allGone, 30_000), "all gone", output());
    for (const port of ports) assert.equal(await listens(port), false, `nothing listens on ${port} any more`);
  });

  test("the launcher killed with SIGKILL (the OOM killer's say): its apps and PostgreSQL stop all the same", async () => {
    const { launcher, output, allGone, ports, printed } = await startLauncher();
    await printed(/ready: open \S+/);
    launcher.kill("SIGKILL"); // the launcher alone, not its process group: it runs no code of its own
    assert.equal(await within(allGone, 30_000), "all gone", `the apps stopped:\n${output()}`);
    // PostgreSQL after them: every port free for the next start.
    for (const port of ports) {
      for (const deadline = Date.now() + 30_000; (await listens(port)) && Date.now() < deadline; ) await sleep(100);
      assert.equal(await listens(port), false, `nothing listens on ${port} any more`);
    }
  });

  test("a HOST that is no address of this machine, or no name of one: exit 1 naming HOST, before anything starts", async () => {
    for (const [host, said] of [
      ["192.0.2.1", /HOST: 192\.0\.2\.1 is not an address of this machine: set HOST/], // for documentation, never assigned
      // (The final dot: no search domain is tried, and no resolver waited for longer than needed.)
      ["no-such-host.invalid.", /HOST: no-such-host\.invalid\. cannot be listened on \(.*\): set HOST/],
    ] as const) {
      const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
        cwd: root,
        env: await launcherEnvironment({ HOST: host }),
      });
      try {
        const { output, exited } = watch(launcher);
        assert.equal(await within(exited, 60_000), 1, output());
        assert.match(output(), said);
        assert.doesNotMatch(output(), /already in use|embedded PostgreSQL|building/);
      } finally {
        await stopProcess(launcher, 5_000);
      }
    }
  });

  for (const [what, setting, said, notSaid] of [
    [
      "a port setting that is not a port",
      { WEB_PORT: "3000x" },
      /WEB_PORT: "3000x" is not a port/,
      /embedded PostgreSQL|building/,
    ],
    [
      "a DATABASE_URL that is not a valid URL (a # in the password)",
      { DATABASE_URL: "postgres://tasks:pa/ss#word@db.example/tasks" },
      /DATABASE_URL: is not a valid URL \(percent-encode/,
      /Invalid URL|does not answer|building/,
    ],
  ] as const) {
    test(`${what}: exit 1 naming it (and the fix), before anything starts`, async () => {
      const { output, exited } = watch(
        spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
          cwd: root,
          env: await launcherEnvironment(setting),
        }),
      );
      assert.equal(await within(exited, 30_000), 1, output());
      assert.match(output(), said);
      assert.doesNotMatch(output(), notSaid);
    });
  }

  test("a port something else listens on: exit 1 naming the variable that moves it, before anything starts", async () => {
    // On every interface, and on IPv6's loopback alone, where a browser's http://localhost goes first.
    for (const [variable, address] of [
      ["WEB_PORT", undefined],
      ["API_PORT", undefined],
      ["EMBEDDED_POSTGRES_PORT", undefined],
      ["WEB_PORT", "::1"],
    ] as const) {
      const taken = createServer();
      const listening = await new Promise<boolean>((resolve) => {
        taken.once("error", () => resolve(false)).listen(0, address, () => resolve(true));
      });
      if (!listening) continue; // (a machine without IPv6)
      const port = String((taken.address() as AddressInfo).port);
      const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
        cwd: root,
        env: await launcherEnvironment({
          EMBEDDED_POSTGRES_PORT: String(await freePort()),
          [variable]: port,
          // The embedded database's port is checked only where there is no DATABASE_URL.
          ...(variable === "EMBEDDED_POSTGRES_PORT"
            ? { DATABASE_URL: "", TASKS_DATA_DIR: throwAwayFolder("tasks-port-") }
            : {}),
        }),
      });
      try {
        const { output, exited } = watch(launcher);
        assert.equal(await within(exited, 30_000), 1, output());
        assert.match(output(), new RegExp(`port ${port} .*already in use.*set ${variable} to another port`), variable);
        assert.doesNotMatch(output(), /building|Creating the embedded/, variable);
      } finally {
        await stopProcess(launcher, 5_000);
        taken.close();
      }
    }
  });
});
