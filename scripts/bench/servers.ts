/**
 * The servers under test as child processes: spawning one with its
 * output shown (first lines only) and its last output kept for when it dies,
 * waiting until it answers /readyz, and stopping it.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface Target {
  /** The Task API, the ceiling on our table, and the ceiling on the minimal table. */
  name: "api" | "ceiling" | "minimal";
  url: string;
  child: ChildProcess;
}

export interface SpawnOptions {
  cwd: string;
  /** Added to the bench's own environment, which the child inherits. */
  env: Record<string, string>;
  extraNodeArgs: string[];
  /** The bench's running children: the child is added at once, so that the clean-up stops it whatever happens next. */
  children: ChildProcess[];
  /** Whether the bench is stopping on purpose: a server exiting then is expected, not reported. */
  isStopping: () => boolean;
}

export function spawnServer(name: Target["name"], script: string, options: SpawnOptions): ChildProcess {
  // TypeScript runs through tsx, as `npm run start:api` does; a built .js/.mjs entry runs on plain Node.
  const loader = /\.m?js$/.test(script) ? [] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...options.extraNodeArgs, ...loader, script], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  options.children.push(child);
  let shown = 0;
  let tail = "";
  const show = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      if (shown < 20) console.log(`  [${name}] ${line}`);
      else if (shown === 20) console.log(`  [${name}] … (further output suppressed)`);
      shown++;
    }
  };
  child.stdout?.on("data", show);
  child.stderr?.on("data", show);
  child.on("exit", (code, signal) => {
    if (!options.isStopping()) {
      console.error(`[bench] the ${name} process exited unexpectedly (${signal ?? code}). Last output:\n${tail}`);
    }
  });
  return child;
}
