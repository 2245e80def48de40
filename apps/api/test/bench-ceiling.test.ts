/**
 * `npm run bench` compares the API with a bare ceiling server that claims to
 * run the very SQL the API sends (bench/ceiling-sql.ts), so that the two
 * differ only in what surrounds the statements. If the API's statements
 * change and the ceiling's do not, the bench compares unlike things: this
 * catches it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ceilingStatements, createStatement } from "../../../bench/ceiling-sql";
import { bearer, captureQueries, createTask, sendCreatesTogether, setup, taskInserts } from "./helper";

const ctx = await setup();

test("the bench's ceiling sends the API's statements, character for character", async () => {
  const user = await ctx.newUser();
  const task = await createTask(ctx.app, user, { title: "an invoice to pay" });
  // Enough invoices that, once counted, the search walks the sort's index (as the large user's does).
  await ctx.pool.query(
    `INSERT INTO tasks (id, user_id, title, description)
     SELECT gen_random_uuid(), $1, 'invoice ' || n, '' FROM generate_series(1, 100) AS n`,
    [user.id],
  );
  const statements = await captureQueries(ctx.pool, async () => {
    // The requests `npm run bench` makes (scripts/bench/scenarios.ts).
    const requests = [
      { method: "GET", url: `/api/${user.id}/tasks?limit=20` },
      { method: "GET", url: `/api/${user.id}/tasks?q=invoice&limit=20` },
      { method: "GET", url: `/api/${user.id}/tasks?q=invoice&limit=20` },
      { method: "GET", url: `/api/${user.id}/tasks/${task.id}` },
      { method: "POST", url: `/api/${user.id}/tasks`, payload: { title: "new", description: "", priority: "low" } },
      { method: "PATCH", url: `/api/${user.id}/tasks/${task.id}/complete` },
    ] as const;
    for (const request of requests) {
      const response = await ctx.app.inject({ ...request, headers: bearer(user.token) });
      assert.ok(response.statusCode < 300, `${request.method} ${request.url}: ${response.statusCode}`);
    }
  });
  const sent = new Set(statements.map((statement) => statement.text));
  for (const [name, text] of Object.entries(ceilingStatements({ minimalTable: false }))) {
    assert.ok(
      sent.has(text),
      `the ceiling's ${name} is not a statement the API sent:\n${text}\n\nThe API sent:\n${[...sent].join("\n\n")}`,
    );
  }
});

test("the ceiling's INSERT for creates that came together is the API's, character for character", async () => {
  const people = await Promise.all(Array.from({ length: 3 }, () => ctx.newUser()));
  const statements = await captureQueries(ctx.pool, () =>
    sendCreatesTogether(ctx, () =>
      Promise.all(
        people.map(async (user) => {
          const response = await ctx.app.inject({
            method: "POST",
            url: `/api/${user.id}/tasks`,
            headers: bearer(user.token),
            payload: { title: "new", description: "", priority: "low" },
          });
          assert.equal(response.statusCode, 201);
        }),
      ),
    ),
  );
  const batch = taskInserts(statements).find((insert) => insert.users.length === people.length);
  assert.ok(batch, "the three creates went as one INSERT");
  assert.equal(batch.text, createStatement(people.length));
});
