/**
 * Named statements (`pool.query({ name, text }, values)`, as the Task API
 * sends every statement through Drizzle) on a direct connection: each name
 * carries its text's digest, and a statement whose name the server no longer
 * knows, as behind a pooler that lends another server connection each time
 * (apps/api/test/pooler.test.ts), is sent again without its name, once.
 * The server forgets here by `DEALLOCATE ALL`, so no pooler is needed.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createTestDatabase } from "../../../scripts/lib/test-database";
import { createPool } from "../src/index";

// A database of its own: the way round is taken for a connection string, for this process's pools.
const url = await createTestDatabase("named_statements");

test("two texts under one name are two statements: each runs its own", async () => {
  const pool = createPool(url, { max: 1 });
  after(() => pool.end());
  const one = await pool.query({ name: "same", text: "SELECT 1 AS v" });
  const two = await pool.query({ name: "same", text: "SELECT 2 AS v" });
  assert.deepEqual([one.rows, two.rows], [[{ v: 1 }], [{ v: 2 }]]);
  const { rows } = await pool.query<{ name: string }>("SELECT name FROM pg_prepared_statements ORDER BY name");
  assert.equal(rows.length, 2);
  for (const { name } of rows) assert.match(name, /^same#[\w-]{12}$/);
});

test("a statement the server no longer knows is sent again without its name, runs once, and so do later ones", async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  after(() => {
    console.warn = warn;
  });
  const pool = createPool(url, { max: 1 });
  after(() => pool.end());
  await pool.query("CREATE TABLE numbers (n int)");
  // One config object for every run, as Drizzle sends a prepared statement's.
  const insert = { name: "insert_number", text: "INSERT INTO numbers VALUES ($1) RETURNING n" };
  assert.deepEqual((await pool.query(insert, [1])).rows, [{ n: 1 }]);
  // The server forgets it; the client still takes it for parsed, as behind a pooler.
  await pool.query("DEALLOCATE ALL");
  assert.deepEqual((await pool.query(insert, [2])).rows, [{ n: 2 }]);
  assert.deepEqual((await pool.query(insert, [3])).rows, [{ n: 3 }]);
  const stored = await pool.query<{ n: number }>("SELECT n FROM numbers ORDER BY n");
  assert.deepEqual(
    stored.rows.map((row) => row.n),
    [1, 2, 3],
    "each insert ran once",
  );
  assert.equal(warnings.filter((message) => /lost a named \(prepared\) statement/.test(message)).length, 1);
  // From then on no name is sent, by this pool or a later one for the same database.
  const later = createPool(url, { max: 1 });
  after(() => later.end());
  assert.deepEqual((await later.query(insert, [4])).rows, [{ n: 4 }]);
  for (const each of [pool, later]) {
    const { rows } = await each.query("SELECT name FROM pg_prepared_statements");
    assert.deepEqual(rows, [], "nothing prepared by name since");
  }
});
