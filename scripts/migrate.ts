/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (the API also does this at start-up). */
import { databaseUrlProblem, migrateDatabaseAt } from "@tasks/db";

const url = process.env.DATABASE_URL?.trim();
if (!url) {
  console.error("DATABASE_URL is not set.");
  process.exit(1);
}
// Checked as the API's start-up checks it: a password with a # or a / read as the URL's end is
// named with its fix, not a bare "Invalid URL" with a stack.
const problem = databaseUrlProblem(url);
if (problem) {
  console.error(`DATABASE_URL: ${problem}`);
  process.exit(1);
}
try {
  const { applied } = await migrateDatabaseAt(url, undefined, { onWait: console.log });
  console.log(applied > 0 ? `applied ${applied} migration(s)` : "the schema is up to date");
} catch (error) {
  console.error(`The migrations could not be applied: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
