/**
 * A table of a realistic size for `list_large` / `search_large` and the
 * growth table: 10,000 users, one of whom has 10,000 tasks, one 1,000 and the
 * others 99 each (about a million tasks), made in SQL rather than through the API.
 *
 * One task in six of every user has "invoice" in its title (a common word),
 * and exactly one task of each of the three people of the growth table (the
 * 10,000-, 1,000- and a 99-task one) says "quarterly tax return" (a rare
 * phrase, found at every size). Priorities, due dates (a quarter of them none), completion (one in
 * five) and creation times vary, so every sort has work to do.
 */
import type pg from "pg";

const LARGE_USERS = 10_000;
export const LARGE_USER_TASKS = 10_000;
export const MEDIUM_USER_TASKS = 1_000;
export const SMALL_USER_TASKS = 99;
export const COMMON_WORD = "invoice";
export const RARE_PHRASE = "quarterly tax return";

export interface LargeTable {
  /** The user with 10,000 tasks. */
  largeUser: string;
  /** A user with 1,000 tasks. */
  mediumUser: string;
  /** A user with 99 tasks, for comparison in the same table. */
  smallUser: string;
}

export async function seedLargeTable(db: pg.Pool): Promise<LargeTable> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (name, email)
     SELECT 'Large bench user ' || g, 'large-' || g || '-' || gen_random_uuid() || '@bench.test'
     FROM generate_series(1, $1::int) AS g
     RETURNING id`,
    [LARGE_USERS],
  );
  const ids = rows.map((row) => row.id);
  const [largeUser, mediumUser, smallUser] = [ids[0], ids[1], ids[2]];
  if (!largeUser || !mediumUser || !smallUser) throw new Error("no users were made");
  // One transaction without the per-row triggers and foreign-key checks (the users were just
  // made; this needs a superuser, as the bench's embedded PostgreSQL has), then each person's
  // counts in one statement: a million rows each adding 1 to their
  // person's count row took most of the seeding time.
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL session_replication_role = replica");
    await client.query(
      `INSERT INTO tasks (id, user_id, title, description, completed, priority, due_date, created_at, updated_at)
       SELECT gen_random_uuid(), u.id,
              CASE WHEN (u.id = $2::uuid AND t = 4242) OR (u.id = $5::uuid AND t = 424) OR (u.id = $7::uuid AND t = 42)
                   THEN 'File the ${RARE_PHRASE}'
                   WHEN t % 6 = 0 THEN 'Pay the ${COMMON_WORD} ' || t
                   ELSE (ARRAY['Water the plants', 'Call the bank', 'Write the report', 'Book the dentist', 'Fix the bike'])[t % 5 + 1] || ' ' || t
              END,
              CASE WHEN t % 2 = 0 THEN '' ELSE 'Details for task ' || t || ', with a few words to make it realistic.' END,
              t % 5 = 0,
              (ARRAY['low', 'medium', 'high'])[t % 3 + 1]::task_priority,
              CASE WHEN t % 4 = 0 THEN NULL ELSE date '2026-01-01' + (t * 7919 % 730) END,
              now() - (t * interval '37 minutes'), now() - (t * interval '31 minutes')
       FROM unnest($1::uuid[]) AS u(id)
       CROSS JOIN LATERAL generate_series(1, CASE WHEN u.id = $2::uuid THEN $3::int WHEN u.id = $5::uuid THEN $6::int ELSE $4::int END) AS t`,
      [ids, largeUser, LARGE_USER_TASKS, SMALL_USER_TASKS, mediumUser, MEDIUM_USER_TASKS, smallUser],
    );
    await client.query(
      `INSERT INTO task_counts (user_id, tasks, completed_tasks)
       SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks WHERE user_id = ANY($1::uuid[]) GROUP BY user_id`,
      [ids],
    );
    await client.query("COMMIT");
    client.release();
  } catch (error) {
    // A connection that failed mid-transaction is not handed back to the pool.
    await client.query("ROLLBACK").catch(() => {});
    client.release(true);
    throw error;
  }
  await db.query("VACUUM ANALYZE users, tasks, task_counts");
  return { largeUser, mediumUser, smallUser };
}
