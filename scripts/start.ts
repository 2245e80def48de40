/**
 * `npm start`: the whole product on one machine. Embedded PostgreSQL under
 * .data/ (unless DATABASE_URL is set), migrations, the development secret
 * (made once), production builds when missing, the web app on :3000 and the
 * Task API on :8000. Ctrl-C or SIGTERM stops everything it started.
 */
import { startProduct } from "./lib/product";

const say = (message: string) => console.log(`[tasks] ${message}`);

let stopProduct: (() => Promise<void>) | undefined;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping…");
    await stopProduct?.();
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const product = await startProduct({
    webPort: Number(process.env.WEB_PORT ?? 3000),
    apiPort: Number(process.env.API_PORT ?? 8000),
    databaseUrl: process.env.DATABASE_URL,
    embeddedPort: Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329),
    log: say,
  });
  stopProduct = product.stop;
  say(`Task API: ${product.apiUrl} (docs: ${product.apiUrl}/docs)`);
  say(`ready: open ${product.webUrl} in your browser. Ctrl-C stops everything.`);
  const reason = await product.exited;
  if (!stopping) {
    say(`${reason}; stopping the rest`);
    await shutdown(1);
  }
} catch (error) {
  console.error(`[tasks] could not start: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
