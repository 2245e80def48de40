/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (the API also does this at start-up). */
import { migrateDatabaseAt } from "@tasks/db";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set.");
  process.exit(1);
}
const { applied } = await migrateDatabaseAt(url, undefined, { onWait: console.log });
console.log(applied > 0 ? `applied ${applied} migration(s)` : "the schema is up to date");
