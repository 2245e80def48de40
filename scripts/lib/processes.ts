/** Child processes that serve HTTP: waiting until one answers, and stopping one. */
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves once `url` answers below 500; fails if the process exits first,
 * `timeoutMs` passes or `signal` is aborted.
 */
export async function waitForReady(
  url: string,
  child: ChildProcess,
  name: string,
  { signal, timeoutMs = 90_000 }: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    // (Killed by a signal, the OOM killer's say, it has no exit code: its signal says it has gone.)
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up (${howItEnded(child.exitCode, child.signalCode)})`);
    }
    try {
      if ((await fetch(url, { redirect: "manual", signal })).status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${name} did not become ready within ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** What `promise` gives (a process's end, say), or "running" if it has not within `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | "running"> {
  return Promise.race([promise, sleep(ms).then(() => "running" as const)]);
}

/** How a process ended, in words: "code 1", or "killed by SIGKILL". */
export function howItEnded(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `code ${code}`;
}
