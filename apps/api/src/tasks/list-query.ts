/**
 * The list's one statement (GET /api/{user_id}/tasks): a page of the person's
 * tasks as one JSON array text, and how many match in all.
 *
 * What it costs follows the page, not the person: the page walks the index
 * that holds the sort's order (schema.ts) and stops after `offset + limit`
 * entries, reading only ids and sort keys there; the JSON is built for the
 * page's rows alone, each fetched by its primary key. The total comes from
 * the person's counts (one row, kept by triggers), or, for a search or a
 * priority filter, from counting the matches, unless a total counted before
 * still stands (the repository keeps those). A search's page is read from
 * the trigram indexes (all the matches, then sorted) unless a counted total
 * says its text is common enough that walking the sort's index reads less
 * (`walkReadsLess`). docs/performance.md, "A page costs the page", has the numbers.
 */
import { taskCounts, taskPriority, tasks } from "@tasks/db";
import type { TaskListQuery } from "@tasks/task-schema";
import { and, eq, ilike, isNotNull, isNull, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { taskJson } from "./task-json";

/** The person a statement is for: every statement of the repository has it. */
export const userId = sql.placeholder("userId");

/** `%`, `_` and `\` in a search are plain characters, not patterns. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

/** The list's page subquery, whose sort keys (`key0`, `key1`, …) the JSON is ordered by. */
const PAGE = "page";
/** A search's page read along the sort's index: the person's tasks in order, each then tested. */
const WALK = "walk";
/** The runs of an order that is a few stretches of an index (`pageOfRuns`), read together. */
const RUNS = "runs";

/**
 * The walk's LIMIT: no limit at all, written so that PostgreSQL cannot see
 * it when it plans. A LIMIT keeps the search's test out of the walk (moved
 * in, the trigram indexes would serve it again), and one it cannot see is
 * planned as read in part (its guess), so in order along the sort's index
 * and stopped by the page; with no limit, or one it can see, it planned to
 * read and sort all the person's tasks. (Drizzle's types allow a number or a
 * placeholder here; it writes any SQL it is given.)
 */
const NO_LIMIT_UNSEEN_BY_THE_PLANNER = sql`(SELECT NULL::bigint)` as unknown as number;

/** A total counted for a search or a priority filter, and what it was counted at. */
export interface CountedTotal {
  /** The version of the person's counts (schema.ts, `taskCounts`) when it was counted. */
  version: string;
  total: number;
  /**
   * All the person's tasks at that version, whatever the filters (for a
   * search's `walkReadsLess`): a walk may read through all of them, since
   * the index by last change does not hold completion.
   */
  personTasks: number;
}

/**
 * Whether a search's page is cheaper read along the sort's index, testing
 * each task in turn until the page is full, than from the trigram indexes,
 * which give all the matches to be sorted. Walking reads at most about
 * `pageEnd * personTasks / total` tasks if the matches are spread through
 * the order, the trigram indexes at least `total`; walking is taken when it
 * should read a quarter of that or less: a common text (a person's 1,667 "invoice" tasks
 * in 10,000: about 120 read for the first page, not 1,667), never a rare one
 * (all 10,000 read for one match). Only a counted total tells them apart;
 * PostgreSQL's one generic plan cannot. Only for the sorts by time: a sort by
 * title, priority or due date can gather the matches in one stretch of the
 * order (every "invoice…" title together), and a walk would read all that
 * comes before it.
 */
export function walkReadsLess(query: TaskListQuery, known: CountedTotal): boolean {
  const pageEnd = query.offset + query.limit;
  return (
    (query.sort === "created" || query.sort === "updated") &&
    known.total > 0 &&
    4 * pageEnd * known.personTasks <= known.total * known.total
  );
}

/** A list statement's one row: the page's items (null: none), the total, and what a counted total was counted at. */
export type ListRow = { items: string | null; total: number; version?: string | null; personTasks?: number | null };

/**
 * The statement for a list's shape, prepared as `name`: its filters and
 * sort from `query` (the values are placeholders, filled per request),
 * `walk` for a search read along the sort's index, `counts` for a total
 * counted (a search or a priority filter) rather than the person's counts.
 */
export function prepareListStatement(
  db: NodePgDatabase,
  name: string,
  query: TaskListQuery,
  { order, walk, counts }: { order: "asc" | "desc"; walk: boolean; counts: boolean },
) {
  const terms = orderTerms(query.sort, order);
  // The page: the ids and sort keys of `limit` rows after `offset`, in the sort's order.
  const runs = query.q ? undefined : orderRuns(query, order);
  const page = walk
    ? walkedSearchPage(db, query, terms)
    : runs
      ? pageOfRuns(db, query, terms, runs)
      : indexedPage(db, query, terms);
  // Each page row's JSON by its primary key. A subquery per row rather than a join: the plan is
  // then the same whatever the limit, so PostgreSQL keeps one generic plan per statement instead
  // of planning every request again (with a join, a plan for an unknown limit looked dearer than
  // one for a known limit, and re-planning a table with this many indexes doubled the list's cost).
  const pageTask = db
    .select({ json: taskJson })
    .from(tasks)
    .where(and(eq(tasks.id, page.id), eq(tasks.userId, userId)));
  // The page's rows in the same order again, by the keys it carries: a sort of `limit` rows
  // (a window function in the page would number every row the offset skips).
  const pageOrder = sortOrder(keyTermsOf(PAGE, terms));
  const items = db
    .select({ items: sql<string | null>`string_agg((${pageTask}), ',' ORDER BY ${sql.join(pageOrder, sql`, `)})` })
    .from(page);
  if (!counts) {
    // Without a search or a priority filter, the person's counts (kept by triggers) are the total.
    const fromCounts = {
      all: sql`${taskCounts.tasks}`,
      pending: sql`${taskCounts.tasks} - ${taskCounts.completedTasks}`,
      completed: sql`${taskCounts.completedTasks}`,
    }[query.status];
    const total = db.select({ total: fromCounts }).from(taskCounts).where(eq(taskCounts.userId, userId));
    return (
      db
        // No row yet: the person has never had a task.
        .select({
          items: sql<string | null>`(${items})`,
          total: sql<number>`coalesce((${total}), 0)`.mapWith(Number),
        })
        .from(sql`(SELECT 1) AS one`)
        .prepare(name)
    );
  }
  // The matches are counted only when the person's version is not that of the known total
  // (PostgreSQL runs the count's subplan only if the CASE reaches it); both come from one snapshot.
  // `max` makes one row (of nulls) for a person who has never had a task.
  const total = db.select({ total: sql<number>`count(*)` }).from(tasks).where(listFilter(query));
  const counted = db
    .select({
      version: sql<string | null>`max(${taskCounts.version})::text`.as("version"),
      personTasks: sql<number | null>`max(${taskCounts.tasks})`.as("person_tasks"),
    })
    .from(taskCounts)
    .where(eq(taskCounts.userId, userId))
    .as("counted");
  return db
    .select({
      items: sql<string | null>`(${items})`,
      total:
        sql<number>`CASE WHEN ${counted.version} = ${sql.placeholder("knownVersion")}::text THEN ${sql.placeholder("knownTotal")}::bigint ELSE (${total}) END`.mapWith(
          Number,
        ),
      version: counted.version,
      personTasks: sql<number | null>`${counted.personTasks}`.mapWith(Number),
    })
    .from(counted)
    .prepare(name);
}

/**
 * The ids and sort keys of `limit` tasks after `offset` that pass the
 * list's filters, in the sort's order: read from the index that holds that
 * order (schema.ts), stopping after `offset + limit` entries; a search
 * takes the trigram indexes instead and sorts its matches.
 */
function indexedPage(db: NodePgDatabase, query: TaskListQuery, terms: OrderTerm[]) {
  return db
    .select({ id: sql<string>`${tasks.id}`.as("page_id"), ...sortKeys(terms) })
    .from(tasks)
    .where(listFilter(query))
    .orderBy(...sortOrder(terms))
    .limit(sql.placeholder("limit"))
    .offset(sql.placeholder("offset"))
    .as(PAGE);
}

/**
 * The page of an order that no index holds as one stretch but that is a few
 * stretches of one (`orderRuns`): each run read along its index for the first
 * `offset + limit` entries, then those (runs × (offset + limit) rows: a
 * few pages for the first pages) sorted together in the list's order.
 */
function pageOfRuns(db: NodePgDatabase, query: TaskListQuery, terms: OrderTerm[], runs: OrderRun[]) {
  const pageEnd = sql`${sql.placeholder("limit")}::bigint + ${sql.placeholder("offset")}::bigint`;
  const branches = runs.map(
    (run) =>
      sql`${db
        .select({ id: sql<string>`${tasks.id}`.as("page_id"), ...sortKeys(terms) })
        .from(tasks)
        .where(and(listFilter(query), run.filter))
        .orderBy(...sortOrder(run.terms))
        // Drizzle's types allow a number or a placeholder here; it writes any SQL it is given.
        .limit(pageEnd as unknown as number)}`,
  );
  const keyTerms = keyTermsOf(RUNS, terms);
  return db
    .select({ id: sql<string>`${sql.identifier(RUNS)}.page_id`.as("page_id"), ...sortKeys(keyTerms) })
    .from(sql`(${sql.join(branches, sql` UNION ALL `)}) AS ${sql.identifier(RUNS)}`)
    .orderBy(...sortOrder(keyTerms))
    .limit(sql.placeholder("limit"))
    .offset(sql.placeholder("offset"))
    .as(PAGE);
}

/**
 * A search's page read along the sort's index (`walkReadsLess` says when):
 * the person's tasks in the list's order, each tested against the search,
 * until the page is full (the walk's LIMIT, NO_LIMIT_UNSEEN_BY_THE_PLANNER,
 * says why it is written so).
 */
function walkedSearchPage(db: NodePgDatabase, query: TaskListQuery, terms: OrderTerm[]) {
  const walked = db
    .select({
      id: sql<string>`${tasks.id}`.as("walk_id"),
      title: sql<string>`${tasks.title}`.as("walk_title"),
      description: sql<string>`${tasks.description}`.as("walk_description"),
      ...sortKeys(terms),
    })
    .from(tasks)
    .where(listFilter({ ...query, q: undefined }))
    .orderBy(...sortOrder(terms))
    .limit(NO_LIMIT_UNSEEN_BY_THE_PLANNER)
    .as(WALK);
  const keyTerms = keyTermsOf(WALK, terms);
  return db
    .select({ id: sql<string>`${walked.id}`.as("page_id"), ...sortKeys(keyTerms) })
    .from(walked)
    .where(or(ilike(walked.title, sql.placeholder("pattern")), ilike(walked.description, sql.placeholder("pattern"))))
    .orderBy(...sortOrder(keyTerms))
    .limit(sql.placeholder("limit"))
    .offset(sql.placeholder("offset"))
    .as(PAGE);
}

/** The list's WHERE clause for a query's shape; the values are placeholders filled per request. */
function listFilter(query: TaskListQuery): SQL | undefined {
  return and(
    eq(tasks.userId, userId),
    query.status === "all" ? undefined : eq(tasks.completed, query.status === "completed"),
    query.priority ? eq(tasks.priority, sql.placeholder("priority")) : undefined,
    query.q
      ? or(ilike(tasks.title, sql.placeholder("pattern")), ilike(tasks.description, sql.placeholder("pattern")))
      : undefined,
  );
}

/** A page's sort keys as columns `key0`, `key1`, …, which its JSON is put in order by. */
function sortKeys(terms: OrderTerm[]): Record<string, SQL.Aliased> {
  return Object.fromEntries(terms.map((term, i) => [`key${i}`, sql`${term.value}`.as(`key${i}`)]));
}

/** The same order read from a subquery's sort keys (`alias`.`key0`, …), which sortKeys made. */
function keyTermsOf(alias: string, terms: OrderTerm[]): OrderTerm[] {
  return terms.map((term, i) => ({
    value: sql`${sql.identifier(alias)}.${sql.identifier(`key${i}`)}`,
    direction: term.direction,
  }));
}

/** The ORDER BY of a list's order: each key and its direction. */
function sortOrder(terms: OrderTerm[]): SQL[] {
  return terms.map((term) => sql`${term.value} ${term.direction}`);
}

/** One key of a list's order: what is compared, and which way (SQL after the value). */
interface OrderTerm {
  value: SQL;
  direction: SQL;
}

/** A stretch of the list's order that one index holds in order: which tasks, and their order there. */
interface OrderRun {
  filter: SQL;
  terms: OrderTerm[];
}

/**
 * The two orders whose index, read backwards, is not their order (schema.ts):
 * `sort=due&order=desc` keeps the tasks without a due date last, where a
 * backward read finds them first, and `sort=priority&order=asc` breaks ties
 * newest first, where a backward read gives oldest first. Read as one, each
 * read and sorted all of a person's tasks, or all of one priority's (docs/performance.md,
 * "Both directions of every sort", has the numbers). Each is a few runs the
 * index does hold in order: the tasks with a due date (backwards: latest
 * first, ties sorted within each day) and then those without; and one run a
 * priority, lowest first. Undefined: the sort's index serves the order as
 * it is.
 */
function orderRuns(query: TaskListQuery, order: "asc" | "desc"): OrderRun[] | undefined {
  const ties = tiesOfOrder();
  if (query.sort === "due" && order === "desc") {
    return [
      { filter: isNotNull(tasks.dueDate), terms: [term(tasks.dueDate, "desc"), ...ties] },
      // All null here, but PostgreSQL does not take IS NULL for one value: ordered by the index's
      // own first key too, the run is the index's order as it stands.
      { filter: isNull(tasks.dueDate), terms: [term(tasks.dueDate, "asc", true), ...ties] },
    ];
  }
  // With a priority filter the list is one priority: the index's order as it stands.
  if (query.sort === "priority" && order === "asc" && query.priority === undefined) {
    // One run a priority: with its priority fixed, the index holds its order (the values are the
    // enum's own, written as literals).
    return taskPriority.enumValues.map((priority) => ({
      filter: sql`${tasks.priority} = ${sql.raw(`'${priority}'`)}`,
      terms: ties,
    }));
  }
  return undefined;
}

/** How every order breaks ties: by creation, newest first, then by id, so paging is stable. */
function tiesOfOrder(): OrderTerm[] {
  return [term(tasks.createdAt, "desc"), term(tasks.id, "asc")];
}

/** One key of an order, and its direction (`nullsLast`: tasks without a value after the others). */
function term(value: SQLWrapper, direction: "asc" | "desc", nullsLast = false): OrderTerm {
  return { value: sql`${value}`, direction: sql.raw(nullsLast ? `${direction} NULLS LAST` : direction) };
}

/** The list's order for a sort and direction (schema.ts says which index serves it). */
function orderTerms(sort: TaskListQuery["sort"], order: "asc" | "desc"): OrderTerm[] {
  const ties = tiesOfOrder();
  switch (sort) {
    case "created":
      return [term(tasks.createdAt, order), term(tasks.id, "asc")];
    case "updated":
      return [term(tasks.updatedAt, order), ...ties];
    case "priority":
      return [term(tasks.priority, order), ...ties];
    case "title":
      return [term(sql`lower(${tasks.title})`, order), term(tasks.title, order), ...ties];
    case "due":
      // Tasks without a due date come last whichever way the list runs.
      return [term(tasks.dueDate, order, true), ...ties];
  }
}
