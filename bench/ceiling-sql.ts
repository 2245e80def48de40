/**
 * The ceiling's SQL, character for character what Drizzle sends for the API:
 * run by bench/ceiling-server.ts over HTTP, and by `npm run bench:writes`
 * (the create and the toggle) straight against PostgreSQL.
 */

const isoUtc = (column: string) => `to_char("tasks"."${column}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const TASK_JSON = `json_build_object(
  'id', "id", 'user_id', "user_id", 'title', "title",
  'description', "description", 'completed', "completed",
  'priority', "priority", 'due_date', "due_date",
  'created_at', ${isoUtc("created_at")}, 'updated_at', ${isoUtc("updated_at")})::text`;
const TASK_RECORD = `"id", ${TASK_JSON}, "version"`;

/**
 * The statements by name. On the minimal table (`minimalTable`) the list's
 * total is counted, as a server without task_counts would; on ours it is
 * read from the person's row of counts.
 */
export function ceilingStatements({ minimalTable }: { minimalTable: boolean }) {
  const listTotal = minimalTable
    ? `((select count(*) from "tasks" where "tasks"."user_id" = $5))`
    : `coalesce(((select "tasks" from "task_counts" where "task_counts"."user_id" = $5)), 0)`;
  return {
    // The page's ids and sort keys from the sort's index, each one's JSON by primary key, in that order, and the total.
    list: `select ((select string_agg(((select ${TASK_JSON} from "tasks" where ("tasks"."id" = "page_id" and "tasks"."user_id" = $1))), ',' ORDER BY "page"."key0" desc, "page"."key1" asc) from (select "id" as "page_id", "tasks"."created_at" as "key0", "tasks"."id" as "key1" from "tasks" where "tasks"."user_id" = $2 order by "tasks"."created_at" desc, "tasks"."id" asc limit $3 offset $4) "page")), ${listTotal} from (SELECT 1) AS one`,
    // The same, for a search (`q`): the pattern is matched on title or description; the matches are
    // counted unless the person's counts still have the version of a total counted before ($7, $8).
    // The page from the trigram indexes (search), or, once a counted total says the text is common,
    // along the sort's index (searchWalk).
    search: searchStatement(
      `select "id" as "page_id", "tasks"."created_at" as "key0", "tasks"."id" as "key1" from "tasks" where ("tasks"."user_id" = $2 and ("tasks"."title" ilike $3 or "tasks"."description" ilike $4)) order by "tasks"."created_at" desc, "tasks"."id" asc limit $5 offset $6`,
    ),
    searchWalk: searchStatement(
      `select "walk_id" as "page_id", "walk"."key0" as "key0", "walk"."key1" as "key1" from (select "id" as "walk_id", "title" as "walk_title", "description" as "walk_description", "tasks"."created_at" as "key0", "tasks"."id" as "key1" from "tasks" where "tasks"."user_id" = $2 order by "tasks"."created_at" desc, "tasks"."id" asc limit (SELECT NULL::bigint)) "walk" where ("walk_title" ilike $3 or "walk_description" ilike $4) order by "walk"."key0" desc, "walk"."key1" asc limit $5 offset $6`,
    ),
    get: `select ${TASK_RECORD} from "tasks" where ("tasks"."id" = $1 and "tasks"."user_id" = $2)`,
    create: createStatement(1),
    toggle: `update "tasks" set "completed" = NOT "tasks"."completed", "updated_at" = now(), "version" = "tasks"."version" % 2147483647 + 1 where ("tasks"."id" = $1 and "tasks"."user_id" = $2) returning ${TASK_RECORD}`,
  };
}

/**
 * The INSERT of `rows` tasks: one alone, or a batch of creates that came
 * together (apps/api/src/tasks/create-batches.ts). Each row's parameters are
 * id, user id, title, description, priority and due date.
 */
export function createStatement(rows: number): string {
  const row = (i: number) =>
    `($${6 * i + 1}, $${6 * i + 2}, $${6 * i + 3}, $${6 * i + 4}, default, $${6 * i + 5}, $${6 * i + 6}, default, default, default)`;
  const values = Array.from({ length: rows }, (_, i) => row(i)).join(", ");
  return `insert into "tasks" ("id", "user_id", "title", "description", "completed", "priority", "due_date", "created_at", "updated_at", "version") values ${values} returning ${TASK_RECORD}`;
}

/** A search's statement around its page's subquery: the page's JSON, the total, and the counts' version and tasks. */
function searchStatement(page: string): string {
  return `select ((select string_agg(((select ${TASK_JSON} from "tasks" where ("tasks"."id" = "page_id" and "tasks"."user_id" = $1))), ',' ORDER BY "page"."key0" desc, "page"."key1" asc) from (${page}) "page")), CASE WHEN "version" = $7::text THEN $8::bigint ELSE ((select count(*) from "tasks" where ("tasks"."user_id" = $9 and ("tasks"."title" ilike $10 or "tasks"."description" ilike $11)))) END, "version", "person_tasks" from (select max("version")::text as "version", max("tasks") as "person_tasks" from "task_counts" where "task_counts"."user_id" = $12) "counted"`;
}
