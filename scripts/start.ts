/**
 * `npm start`: the whole product on one machine. Embedded PostgreSQL under
 * .data/ (unless DATABASE_URL is set), migrations, the development secret
 * (made once), production builds when missing, the web app on :3000 and the
 * Task API on :8000. Ctrl-C or SIGTERM stops everything it started, the apps
 * first (they finish what they are answering) and the database last, also
 * when it comes before the product is ready.
 */
import path from "node:path";
import { type RunningProduct, startProduct } from "./lib/product";

const say = (message: string) => console.log(`[tasks] ${message}`);

/** A port from the environment; unset or empty (as deployment tools write "unset") is the default. */
function portSetting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new Error(`${name}: "${value}" is not a port (a whole number from 1 to 65535)`);
  }
  return port;
}

const starting = new AbortController();
let product: RunningProduct | undefined;
let stopping = false;

/** Stops what runs (or, before it is ready, ends start-up, which stops what it started), then exits. */
async function stopAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping…");
    if (product) await product.stop();
    else starting.abort();
  }
  // Before the product is ready, start-up's own end exits (below), once what it started has stopped.
  if (product || code !== 0) process.exit(code);
  return new Promise<never>(() => {});
}
process.on("SIGINT", () => void stopAndExit(0));
process.on("SIGTERM", () => void stopAndExit(0));

try {
  product = await startProduct({
    webPort: portSetting("WEB_PORT", 3000),
    apiPort: portSetting("API_PORT", 8000),
    databaseUrl: process.env.DATABASE_URL || undefined,
    embeddedPort: portSetting("EMBEDDED_POSTGRES_PORT", 54329),
    dataDir: process.env.TASKS_DATA_DIR ? path.resolve(process.env.TASKS_DATA_DIR) : undefined,
    log: say,
    signal: starting.signal,
    leaveProcessSignalsToCaller: true,
  });
  say(`Task API: ${product.apiUrl} (docs: ${product.apiUrl}/docs)`);
  say(`ready: open ${product.webUrl} in your browser. Ctrl-C stops everything.`);
  const reason = await product.exited;
  if (!stopping) {
    say(`${reason}; stopping the rest`);
    await stopAndExit(1);
  }
} catch (error) {
  if (starting.signal.aborted) process.exit(0);
  console.error(`[tasks] could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAndExit(1);
}
