/**
 * DATABASE_URL as start-up checks it (databaseUrlProblem): what node-postgres
 * would read wrongly or not at all is refused with the fix named, and every
 * URL it reads as meant is taken.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { databaseUrlProblem } from "../src/database-url";

test("a URL node-postgres would misread is refused, naming the fix; a good one is taken", () => {
  for (const refused of [
    "postgres://tasks:pa#ss@db.example/tasks", // the rest read as a fragment
    "postgres://tasks:12/34@db.example/tasks", // host "tasks", port 12
    "postgres://tasks:a?b@db.example/tasks", // the rest read as a query
  ]) {
    assert.match(String(databaseUrlProblem(refused)), /is not a valid URL \(percent-encode/, refused);
  }
  assert.match(String(databaseUrlProblem("mysql://tasks@db/tasks")), /must be a postgres:\/\//);
  for (const taken of [
    "postgres://tasks:pa%23ss@db.example:5432/tasks",
    "postgresql://user:pass@ep-x-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=verify-full",
    "postgres://tasks:p@ss:word@db.example/tasks", // the last @ ends the password; the first : the user
    "postgres://tasks@/tasks?host=/run/postgresql", // a socket
    "postgres:///tasks?host=/run/postgresql",
    "postgres://db.example/tasks",
  ]) {
    assert.equal(databaseUrlProblem(taken), null, taken);
  }
});
