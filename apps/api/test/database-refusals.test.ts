/**
 * A database that refuses a write for its own state rather than the
 * request's (here a read-only one, as a standby is after a failover, until
 * the application reconnects to the new primary) is a 503 that changed
 * nothing, not a 500; reads still work. So is a database that refuses the
 * connection itself (a rotated password, a dropped database): nothing ran.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createPool } from "@tasks/db";
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

test("a database that refuses the connection (no such database, a wrong password) is a 503, not a 500", async () => {
  // The revocation feed reads the good database: only the requests' connections are refused.
  const feedPool = createPool(databaseUrl(), { max: 2 });
  after(() => feedPool.end());
  const noDatabase = new URL(databaseUrl());
  noDatabase.pathname = "/no_such_database";
  // As after the role's password was rotated (Neon's "Reset password") under running processes.
  const oldPassword = new URL(databaseUrl());
  oldPassword.password = "not-the-password";
  for (const url of [noDatabase, oldPassword]) {
    const refused = await setup({ DATABASE_URL: url.toString() }, {}, feedPool);
    const user = await ctx.newUser();
    const token = await mintToken({ key: refused.key, claims: { sub: user.id, sid: user.sessionId } });
    for (const [method, payload] of [["GET"], ["POST", { title: "made while refused" }]] as const) {
      const answer = await refused.app.inject({
        method,
        url: `/api/${user.id}/tasks`,
        headers: bearer(token),
        payload,
      });
      assertProblem(answer, 503);
      assert.ok(answer.headers["retry-after"], `${method} ${url.pathname}: 503 says when to try again`);
    }
    assert.deepEqual(await storedTasks(ctx.pool, user.id), [], "nothing was made");
  }
});
