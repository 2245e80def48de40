/**
 * `npm run db:migrate`, step one of the README's Neon recipe: a DATABASE_URL it cannot use is one
 * line naming the variable and its fix, not a stack; a good one reports what it applied.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "../../..");

function migrate(databaseUrl: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test("npm run db:migrate: a URL it would misread is one line naming DATABASE_URL; a good one is brought up to date", () => {
  const misread = migrate("postgres://tasks:pa#ss@db.example/tasks");
  assert.equal(misread.status, 1);
  assert.equal(
    misread.output.trim(),
    "DATABASE_URL: is not a valid URL (percent-encode # / ? in the user name and password, as %23 %2F %3F)",
  );
  const good = migrate(process.env.DATABASE_URL ?? "");
  assert.equal(good.status, 0, good.output);
  assert.match(good.output, /^(the schema is up to date|applied \d+ migration\(s\))$/m);
});
