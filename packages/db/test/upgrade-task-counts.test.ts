/**
 * Migration 0009 replaced a person's two task-count rows (pending, completed)
 * with one, filled from the tasks. A database that already has tasks when it
 * upgrades must come out with every person's counts equal to their tasks, and
 * go on counting. Runs on a database of its own, migrated up to 0008 first.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { createTestDatabase } from "../../../scripts/lib/test-database";
import { createPool, migrateDatabaseAt, migrationsFolder } from "../src/index";
import { migrationsUpTo } from "./migrations-up-to";

test("upgrading a database with tasks to one count row a person keeps every count", async () => {
  const url = await createTestDatabase("upgrade_counts");
  const pool = createPool(url, { max: 2, statementTimeoutMillis: 120_000 });
  after(() => pool.end());

  await migrate(drizzle(pool), { migrationsFolder: migrationsUpTo("0008_task_counts_version") });
  // Three people: five tasks of which two completed, three all completed, and none.
  const people = ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"];
  const nobody = "00000000-0000-4000-8000-00000000000c";
  await pool.query(
    `INSERT INTO users (id, name, email) SELECT id, 'u', id || '@example.test' FROM unnest($1::uuid[]) AS id`,
    [[...people, nobody]],
  );
  await pool.query(
    `INSERT INTO tasks (id, user_id, title, completed)
     SELECT gen_random_uuid(), $1::uuid, 'a' || n, n <= 2 FROM generate_series(1, 5) AS n
     UNION ALL SELECT gen_random_uuid(), $2::uuid, 'b' || n, true FROM generate_series(1, 3) AS n`,
    people,
  );

  // 0009 and the migrations after it, as the product's own start-up applies them.
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  const after0008 = journal.entries.length - 1 - journal.entries.findIndex((e) => e.tag === "0008_task_counts_version");
  assert.deepEqual(await migrateDatabaseAt(url), { applied: after0008 }, "0009 and what came after");
  const counts = async () =>
    (await pool.query("SELECT user_id, tasks, completed_tasks FROM task_counts ORDER BY user_id")).rows;
  assert.deepEqual(await counts(), [
    { user_id: people[0], tasks: 5, completed_tasks: 2 },
    { user_id: people[1], tasks: 3, completed_tasks: 3 },
  ]);

  // And the new triggers go on from there: a first task, a completion, a delete.
  await pool.query("INSERT INTO tasks (id, user_id, title) VALUES (gen_random_uuid(), $1, 'first')", [nobody]);
  await pool.query(
    "UPDATE tasks SET completed = true WHERE id = (SELECT id FROM tasks WHERE user_id = $1 AND NOT completed LIMIT 1)",
    [people[0]],
  );
  await pool.query("DELETE FROM tasks WHERE id = (SELECT id FROM tasks WHERE user_id = $1 LIMIT 1)", [people[1]]);
  assert.deepEqual(await counts(), [
    { user_id: people[0], tasks: 5, completed_tasks: 3 },
    { user_id: people[1], tasks: 2, completed_tasks: 2 },
    { user_id: nobody, tasks: 1, completed_tasks: 0 },
  ]);
});
