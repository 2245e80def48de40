/**
 * `npm run start:api`: the Task API alone, configured by the environment
 * (see config.ts). Applies pending migrations under a lock, listens, and on
 * SIGTERM/SIGINT stops accepting, finishes in-flight requests, closes the pool.
 */
import { createPool, migrateDatabaseAt } from "@tasks/db";
import { buildApp } from "./app";
import { ConfigError, loadConfig } from "./config";

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.developmentDefaults.length > 0) {
    // A deployment that forgot NODE_ENV=production would otherwise refuse every token without a word.
    console.error(
      "NODE_ENV is not production, so these take their development defaults (localhost: tokens for any other " +
        `origin are refused): ${config.developmentDefaults.join(", ")}. Deployments set NODE_ENV=production.`,
    );
  }
  if (!config.databaseUrl) {
    throw new ConfigError(
      "DATABASE_URL is not set. Set it to your PostgreSQL URL, or run `npm start`, which starts the embedded database.",
    );
  }
  // Before the app: its revocation feed reads a table the migrations create. The
  // migrations hold one connection throughout, so they get a pool of their own.
  const { applied } = await migrateDatabaseAt(config.databaseUrl, "tasks-api-migrations", {
    onWait: (message) => console.error(`The Task API is starting: ${message}`),
  });
  const pool = createPool(config.databaseUrl, {
    max: config.databasePoolMax,
    applicationName: "tasks-api",
    oneStatementPerLoan: true,
  });
  const app = await buildApp({ config, pool });
  if (applied > 0) app.log.info({ applied }, "applied database migrations");

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  const { code } = error as { code?: string };
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if (code === "EADDRINUSE") {
    console.error(`Port ${(error as { port?: number }).port ?? ""} is already in use: set PORT to a free one.`);
  } else if (code === "EACCES") {
    console.error(
      `Port ${(error as { port?: number }).port ?? ""} is not this process's to take: set PORT to another one.`,
    );
  } else if (code === "EADDRNOTAVAIL") {
    const host = (error as { address?: string }).address ?? "HOST";
    console.error(
      `${host} is not an address of this machine: set HOST to one of its addresses (0.0.0.0: all of them).`,
    );
  } else if (code === "EAI_AGAIN") {
    const host = (error as { hostname?: string }).hostname ?? "HOST";
    console.error(
      `${host} could not be looked up just now (the resolver did not answer): try again, or set HOST to an address.`,
    );
  } else if (code === "ENOTFOUND" || code === "EAFNOSUPPORT") {
    const host = (error as { hostname?: string }).hostname ?? "HOST";
    console.error(
      `${host} is not a name of this machine that can be listened on: set HOST to one of its addresses (0.0.0.0: all of them).`,
    );
  } else {
    console.error("The Task API could not start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
