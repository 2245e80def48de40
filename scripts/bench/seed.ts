/**
 * The data every run starts from: users, each with a token and a fixed set of
 * tasks, inserted in two statements; and the reset that removes what a
 * writing run created, so that the next run sees the same table.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { uuidv7 } from "uuidv7";

export interface BenchUser {
  id: string;
  authorization: string;
  taskIds: string[];
}

/** Created tasks carry this title, so each run's creations can be removed after it. */
export const CREATED_TASK_TITLE = "Bench: new task";

const PRIORITIES = ["low", "medium", "high"];

export async function seedUsersAndTasks(
  db: pg.Pool,
  mintToken: (sub: string) => Promise<string>,
  counts: { users: number; tasksPerUser: number },
): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  const taskRows = { id: [] as string[], user: [] as string[], title: [] as string[], description: [] as string[] };
  const more = {
    priority: [] as string[],
    due: [] as (string | null)[],
    completed: [] as boolean[],
    age: [] as number[],
  };
  for (let u = 0; u < counts.users; u++) {
    const id = randomUUID();
    const taskIds: string[] = [];
    for (let t = 0; t < counts.tasksPerUser; t++) {
      const taskId = uuidv7();
      taskIds.push(taskId);
      taskRows.id.push(taskId);
      taskRows.user.push(id);
      taskRows.title.push(`Task ${t + 1}: ${["water the plants", "call the bank", "write the report"][t % 3]}`);
      taskRows.description.push(t % 2 === 0 ? "" : `Details for task ${t + 1}, with a few words to make it realistic.`);
      more.priority.push(PRIORITIES[t % 3] as string);
      more.due.push(t % 4 === 0 ? null : `2026-12-${String((t % 28) + 1).padStart(2, "0")}`);
      more.completed.push(t % 5 === 0);
      more.age.push(counts.tasksPerUser - t);
    }
    users.push({ id, authorization: `Bearer ${await mintToken(id)}`, taskIds });
  }
  await db.query(
    `INSERT INTO users (id, name, email)
     SELECT id, 'Bench user ' || n, id || '@bench.test' FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)`,
    [users.map((user) => user.id)],
  );
  await db.query(
    `INSERT INTO tasks (id, user_id, title, description, priority, due_date, completed, created_at, updated_at)
     SELECT id, user_id, title, description, priority::task_priority, due, completed,
            now() - age * interval '1 minute', now() - age * interval '1 minute'
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::bool[], $8::int[])
       AS t(id, user_id, title, description, priority, due, completed, age)`,
    [
      taskRows.id,
      taskRows.user,
      taskRows.title,
      taskRows.description,
      more.priority,
      more.due,
      more.completed,
      more.age,
    ],
  );
  await db.query("VACUUM ANALYZE users, tasks");
  return users;
}

/** The schema of the minimal table, which bench/ceiling-server.ts reads with CEILING_SCHEMA. */
export const MINIMAL_SCHEMA = "bench_minimal";

/**
 * The least a tasks table can be and still serve the bench's requests: the
 * product's columns and defaults, a primary key and the one index the list
 * needs; no foreign key, no checks, no trigger, no sort or search index.
 * Filled with a copy of every task of our table (the large table's million
 * too, when it was seeded first), so that the two ceilings differ in schema
 * only: a write's indexes of a million entries cost what they cost on both.
 */
export async function createMinimalTable(db: pg.Pool): Promise<void> {
  await db.query(`CREATE SCHEMA ${MINIMAL_SCHEMA}`);
  await db.query(`CREATE TABLE ${MINIMAL_SCHEMA}.tasks (LIKE public.tasks INCLUDING DEFAULTS, PRIMARY KEY (id))`);
  await db.query(`CREATE INDEX ON ${MINIMAL_SCHEMA}.tasks (user_id, created_at DESC, id)`);
  await db.query(`INSERT INTO ${MINIMAL_SCHEMA}.tasks SELECT * FROM public.tasks`);
  await db.query(`VACUUM ANALYZE ${MINIMAL_SCHEMA}.tasks`);
}

/** Removes what a run created and lets PostgreSQL catch up, so every run starts from the same tables. */
export async function resetCreatedTasks(db: pg.Pool): Promise<void> {
  await db.query("DELETE FROM tasks WHERE title = $1", [CREATED_TASK_TITLE]);
  await db.query(`DELETE FROM ${MINIMAL_SCHEMA}.tasks WHERE title = $1`, [CREATED_TASK_TITLE]);
  await db.query(`VACUUM ANALYZE tasks, ${MINIMAL_SCHEMA}.tasks`);
}
