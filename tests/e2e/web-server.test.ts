/**
 * `npm run start:web` (apps/web/server.mjs) refuses to run misconfigured: in
 * production (the default there) a missing secret, or a bad
 * TRUSTED_PROXY_HOPS, stops start-up with a message naming the variable.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { freePort } from "../../scripts/lib/free-port";

const webDir = path.resolve(import.meta.dirname, "../../apps/web");

/** Starts the web server with only this environment; its exit code and output (or "running" after 30 s). */
async function startWeb(env: Record<string, string>): Promise<{ code: number | "running"; output: string }> {
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: webDir,
    env: { PATH: process.env.PATH ?? "", PORT: String(await freePort()), ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | "running">((resolve) => {
    const timer = setTimeout(() => resolve("running"), 30_000);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? 1);
    });
  });
  child.kill("SIGKILL");
  return { code, output };
}

describe("the web app's server refuses a bad configuration", () => {
  test("production without BETTER_AUTH_SECRET: exit 1 naming it", async () => {
    const { code, output } = await startWeb({ DATABASE_URL: process.env.DATABASE_URL ?? "" });
    assert.equal(code, 1, output);
    assert.match(output, /BETTER_AUTH_SECRET/);
  });

  test("a TRUSTED_PROXY_HOPS that is not a small whole number: exit 1 naming it", async () => {
    const { code, output } = await startWeb({ TRUSTED_PROXY_HOPS: "yes" });
    assert.equal(code, 1, output);
    assert.match(output, /TRUSTED_PROXY_HOPS/);
  });
});
