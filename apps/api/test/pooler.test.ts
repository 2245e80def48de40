/**
 * The Task API through a pooler in transaction mode that does not carry
 * prepared statements from one server connection to the next: PgBouncer
 * before 1.21 (Debian 12's is 1.18), or 1.21+ with `max_prepared_statements`
 * at 0 (its default before 1.24), as many self-hosted poolers run. (A newer
 * PgBouncer carries them, and this test then shows the API works there too;
 * packages/db/test/named-statements.test.ts tests the way round itself.) The API names its statements (each is
 * parsed once per connection); there, a named statement prepared on one
 * server connection is missing on the next ("prepared statement … does not
 * exist") or already there ("… already exists"). The API must answer as on a
 * direct connection all the same.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { migrateDatabaseAt } from "@tasks/db";
import { NO_PGBOUNCER, PGBOUNCER_PATH, startPgBouncer } from "../../../scripts/lib/pgbouncer";
import { createTestDatabase } from "../../../scripts/lib/test-database";
import { setup, type TestContext } from "./helper";

let ctx: TestContext | undefined;
if (PGBOUNCER_PATH) {
  const direct = await createTestDatabase("api_pooler");
  await migrateDatabaseAt(direct);
  // Two server connections for the API's pool of ten (and the feed's two): every statement may land
  // on another server connection than the one before it.
  const bouncer = await startPgBouncer(direct, 2);
  ctx = await setup({ DATABASE_URL: bouncer.url });
  after(() => bouncer.stop());
}

describe("through a pooler in transaction mode (PgBouncer)", {
  skip: PGBOUNCER_PATH ? false : NO_PGBOUNCER,
}, () => {
  test("every route answers as on a direct connection, three people at once, round after round", async () => {
    const { app, newUser } = ctx as TestContext;
    const people = await Promise.all([1, 2, 3].map(() => newUser()));
    const answers: string[] = [];
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        people.map(async (person) => {
          const base = `/api/${person.id}/tasks`;
          const send = async (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: object) => {
            const answer = await app.inject({ method, url, headers: person.auth, ...(payload ? { payload } : {}) });
            answers.push(`${method} ${url.replace(person.id, "{user_id}")}: ${answer.statusCode}`);
            return answer;
          };
          const created = await send("POST", base, { title: `round ${round}`, description: "through the pooler" });
          const id = (created.json() as { id: string }).id;
          await Promise.all([
            send("GET", base),
            send("GET", `${base}?q=round&sort=title&order=desc`),
            send("GET", `${base}?status=pending&sort=priority`),
            send("GET", `${base}/${id}`),
          ]);
          await send("PATCH", `${base}/${id}`, { priority: "high" });
          await send("PATCH", `${base}/${id}/complete`);
          await send("PUT", `${base}/${id}`, { title: `round ${round}, again` });
          if (round % 2 === 1) await send("DELETE", `${base}/${id}`);
        }),
      );
    }
    const failed = answers.filter((answer) => !/: 20[014]$/.test(answer));
    assert.deepEqual(failed, [], `${failed.length} of ${answers.length} requests failed`);
    // And what they did is there: every other task deleted, the rest as the last write left it.
    for (const person of people) {
      const listed = await app.inject({ method: "GET", url: `/api/${person.id}/tasks`, headers: person.auth });
      assert.equal(listed.statusCode, 200);
      assert.equal(listed.headers["x-total-count"], String(rounds / 2));
      assert.deepEqual(
        (listed.json() as { title: string; completed: boolean }[]).map((task) => [task.title, task.completed]),
        // The even rounds' tasks (odd ones were deleted), newest first.
        Array.from({ length: rounds / 2 }, (_, i) => [`round ${rounds - 2 - 2 * i}, again`, false]),
      );
    }
  });
});
