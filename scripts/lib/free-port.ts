import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/**
 * Ports handed out already. The kernel may give a port that was just closed to
 * the next listen(0), and nothing holds a handed-out port until its server
 * binds it (a launcher's database binds seconds later), so two calls could name
 * the same port: seen in CI, npm start's database and its Task API on one port.
 * Within a process a set remembers them; across the test runner's processes,
 * a file per port in TASKS_TEST_PORTS_DIR (set by `npm test` for its run).
 */
const handedOut = new Set<number>();

/** A TCP port that was free a moment ago on 127.0.0.1, and not one handed out before (in this run). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = await portTheKernelPicks();
    if (!handedOut.has(port) && reservedForThisRun(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free port that was not handed out already");
}

/** False if another process of this test run reserved the port first. */
function reservedForThisRun(port: number): boolean {
  const dir = process.env.TASKS_TEST_PORTS_DIR;
  if (!dir) return true;
  try {
    closeSync(openSync(path.join(dir, String(port)), "wx"));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function portTheKernelPicks(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
