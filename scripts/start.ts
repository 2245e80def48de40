/**
 * `npm start`: the whole product on one machine. Embedded PostgreSQL under
 * .data/ (unless DATABASE_URL is set), migrations, the development secret
 * (made once), production builds when missing, the web app on :3000 and the
 * Task API on :8000. Ctrl-C, SIGTERM or SIGHUP (the terminal closing) stops
 * everything it started, the apps first (they finish what they are answering)
 * and the database last, also when it comes before the product is ready.
 * When an app or the embedded PostgreSQL exits on its own, it says which and
 * how, stops the rest and exits 1: half a product answering 503s would look
 * up and be broken.
 */
import path from "node:path";
import { type RunningProduct, setting, startProduct } from "./lib/product";

const say = (message: string) => console.log(`[tasks] ${message}`);
const sayFailure = (what: string, error: unknown) =>
  console.error(`[tasks] ${what}: ${error instanceof Error ? error.message : String(error)}`);
// Once the terminal has closed (SIGHUP), writing to it fails (EIO): that must not end the launcher
// before it has stopped what it started.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

/** A port from the environment; unset or empty (as deployment tools write "unset") is the default. */
function portSetting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new Error(`${name}: "${value}" is not a port (a whole number from 1 to 65535)`);
  }
  return port;
}

const dataDirSetting = setting(process.env, "TASKS_DATA_DIR");
const starting = new AbortController();
let product: RunningProduct | undefined;
/** Set once: a Ctrl-C under npm arrives twice (from the terminal, and forwarded by npm). */
let stopping = false;

function stopOnSignal(): void {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  // Before the product is ready, start-up stops what it started, and its end below exits.
  if (product) {
    product.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        sayFailure("could not stop everything", error);
        process.exit(1);
      },
    );
  } else starting.abort();
}
// The embedded PostgreSQL's own handlers for these are taken away (leaveProcessSignalsToCaller).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stopOnSignal);

try {
  product = await startProduct({
    webPort: portSetting("WEB_PORT", 3000),
    apiPort: portSetting("API_PORT", 8000),
    databaseUrl: setting(process.env, "DATABASE_URL"),
    embeddedPort: portSetting("EMBEDDED_POSTGRES_PORT", 54329),
    dataDir: dataDirSetting && path.resolve(dataDirSetting),
    log: say,
    signal: starting.signal,
    leaveProcessSignalsToCaller: true,
  });
  say(`Task API: ${product.apiUrl} (docs: ${product.apiUrl}/docs)`);
  say(`ready: open ${product.webUrl} in your browser. Ctrl-C stops everything.`);
  const reason = await product.exited;
  // Unless a signal's stop is under way (it exits when done), one app ended on its own.
  if (!stopping) {
    stopping = true;
    say(`${reason}; stopping the rest`);
    await product.stop();
    process.exit(1);
  }
} catch (error) {
  // (startProduct has stopped whatever it had started.) Stopped by a signal, start-up ends with the
  // signal's reason, an abort of its own (a wait it cut short), or the failure of a step the signal
  // reached too (a Ctrl-C stops every process of the terminal: `next build` exits 130): nothing to
  // say, and no failure.
  const stoppedBySignal = starting.signal.aborted;
  if (!stoppedBySignal) {
    sayFailure("could not start", error);
  }
  process.exit(stoppedBySignal ? 0 : 1);
}
