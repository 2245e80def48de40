/**
 * A database that refuses a write for its own state rather than the
 * request's (here a read-only one, as a standby is after a failover, until
 * the application reconnects to the new primary) is a 503 that changed
 * nothing, not a 500; reads still work.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertProblem, bearer, createTask, databaseUrl, mintToken, setup, storedTasks } from "./helper";

const ctx = await setup();
// The same database through connections that may only read (SQLSTATE 25006 on any write).
const readOnlyUrl = new URL(databaseUrl());
readOnlyUrl.searchParams.set("options", "-c default_transaction_read_only=on");
const readOnly = await setup({ DATABASE_URL: readOnlyUrl.toString() });

test("a write the database refuses as read-only is a 503 that changed nothing; a read is a 200", async () => {
  const user = await ctx.newUser();
  const task = await createTask(ctx.app, user, { title: "made before the failover" });
  const token = await mintToken({ key: readOnly.key, claims: { sub: user.id, sid: user.sessionId } });
  const send = (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, payload?: object) =>
    readOnly.app.inject({ method, url: `/api/${user.id}/tasks${path}`, headers: bearer(token), payload });

  for (const answer of [
    await send("POST", "", { title: "made during it" }),
    await send("PATCH", `/${task.id}`, { title: "changed during it" }),
    await send("DELETE", `/${task.id}`),
  ]) {
    const body = assertProblem(answer, 503);
    assert.match(String(body.detail), /nothing was changed/);
    assert.ok(answer.headers["retry-after"], "503 says when to try again");
  }
  const listed = await send("GET", "");
  assert.equal(listed.statusCode, 200);
  assert.deepEqual(
    (await storedTasks(ctx.pool, user.id)).map((stored) => stored.title),
    ["made before the failover"],
  );
});
