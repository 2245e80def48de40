/**
 * An error nobody planned for (here: a rule an operator added to the tasks
 * table, which PostgreSQL enforces) is a 500 problem document that says
 * nothing internal, and its log line says what failed without the person's
 * task text: not the statement's parameters, not the row.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { test } from "node:test";
import { migrateDatabaseAt } from "@tasks/db";
import { createTestDatabase } from "../../../scripts/lib/test-database";
import { assertProblem, setup } from "./helper";

const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});
// A database of its own: changing the tasks table locks it, which would hold up the other files' tests.
const ownUrl = await createTestDatabase("unexpected_errors");
await migrateDatabaseAt(ownUrl, "tasks-test-migrations");
const ctx = await setup({ DATABASE_URL: ownUrl }, {}, undefined, { level: "info", stream: logStream });

test("a 500 keeps the task's text out of its answer and out of the log", async () => {
  const user = await ctx.newUser();
  const secret = `private-${randomUUID()}`;
  const constraint = `refuses_${randomUUID().replaceAll("-", "")}`;
  await ctx.pool.query(`ALTER TABLE tasks ADD CONSTRAINT ${constraint} CHECK (title <> '${secret}')`);

  const answer = await ctx.app.inject({
    method: "POST",
    url: `/api/${user.id}/tasks`,
    headers: user.auth,
    payload: { title: secret, description: `${secret} in the description` },
  });
  const body = assertProblem(answer, 500);
  assert.doesNotMatch(answer.body, new RegExp(`${secret}|${constraint}|INSERT|insert into`, "i"));
  assert.equal(body.detail, "Something went wrong on our side.");

  const logged = logLines.filter((line) => line.includes("unexpected error"));
  assert.equal(logged.length, 1, logLines.join(""));
  const line = logged[0] ?? "";
  assert.doesNotMatch(line, new RegExp(secret), "the person's text stays out of the log");
  assert.match(line, /"code":"23514"/, "the log says what failed");
  assert.match(line, new RegExp(constraint), "and where");
});
