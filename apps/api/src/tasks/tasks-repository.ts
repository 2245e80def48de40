/**
 * Every SQL statement the Task API runs. Each one carries `user_id = <token's
 * sub>`, so a task of another user is invisible here: it can be neither read,
 * changed nor told apart from one that does not exist.
 *
 * Tasks leave the database as finished JSON text (built by PostgreSQL), which
 * the routes send as they are: no per-row objects, no re-serialisation.
 */
import { createHash } from "node:crypto";
import { databaseErrorCode, taskCounts, taskCreateKeys, tasks } from "@tasks/db";
import {
  defaultOrder,
  type TaskCreate,
  type TaskListQuery,
  type TaskPatch,
  type TaskReplace,
} from "@tasks/task-schema";
import { and, eq, ilike, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { uuidv7 } from "uuidv7";
import { CreateBatches, type CreateBatchLimits, type JobOutcome } from "./create-batches";

/** One task as JSON text, with the version its ETag is made from. */
export interface TaskRecord {
  id: string;
  json: string;
  version: number;
}

/** What an `If-Match` header allows: any existing task, or only these versions. */
export type WritePrecondition = { kind: "any" } | { kind: "versions"; versions: number[] } | undefined;

/** Why a write did not happen. */
export type WriteRefusal = "not-found" | "precondition-failed";

const isoUtc = (column: SQLWrapper) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The contract's Task, field for field. */
const taskJson = sql<string>`json_build_object(
  'id', ${tasks.id}, 'user_id', ${tasks.userId}, 'title', ${tasks.title},
  'description', ${tasks.description}, 'completed', ${tasks.completed},
  'priority', ${tasks.priority}, 'due_date', ${tasks.dueDate},
  'created_at', ${isoUtc(tasks.createdAt)}, 'updated_at', ${isoUtc(tasks.updatedAt)})::text`;

const taskRecord = { id: tasks.id, json: taskJson, version: tasks.version };

/** A task to be created: its id (made here, so a batch's answers can be told apart), owner and fields. */
interface NewTask {
  id: string;
  userId: string;
  input: TaskCreate;
}

/** The placeholders' values for row `i` of an INSERT (`insertStatement`). */
function newTaskValues({ id, userId, input }: NewTask, i: number): Record<string, unknown> {
  return {
    [`id${i}`]: id,
    [`userId${i}`]: userId,
    [`title${i}`]: input.title,
    [`description${i}`]: input.description,
    [`priority${i}`]: input.priority,
    [`dueDate${i}`]: input.due_date,
  };
}

/**
 * PostgreSQL refused the statement for what it was given (SQLSTATE class 22,
 * data exception, or 23, integrity constraint violation): it was answered,
 * so it ran and was undone, and one of its rows is the cause.
 */
function failedForItsData(error: unknown): boolean {
  const code = databaseErrorCode(error);
  return code !== undefined && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** `%`, `_` and `\` in a search are plain characters, not patterns. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

/** The editable fields of a Task (API names) and the tasks table's columns for them. */
const editableColumns = {
  title: "title",
  description: "description",
  completed: "completed",
  priority: "priority",
  due_date: "dueDate",
} as const;

const userId = sql.placeholder("userId");
/** How many counted totals a process keeps (a few hundred bytes each). */
const MAX_COUNTED_TOTALS = 10_000;
/** The list's page subquery, whose sort keys (`key0`, `key1`, …) the JSON is ordered by. */
const PAGE = "page";
/** A search's page read along the sort's index: the person's tasks in order, each then tested. */
const WALK = "walk";

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
interface CountedTotal {
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
function walkReadsLess(query: TaskListQuery, known: CountedTotal): boolean {
  const pageEnd = query.offset + query.limit;
  return (
    (query.sort === "created" || query.sort === "updated") &&
    known.total > 0 &&
    4 * pageEnd * known.personTasks <= known.total * known.total
  );
}
const taskId = sql.placeholder("taskId");
const ownTask = and(eq(tasks.id, taskId), eq(tasks.userId, userId));

/**
 * Each statement is built once and named, so neither Drizzle nor PostgreSQL
 * re-does the work per request (the list has a few dozen shapes: one
 * statement per combination of filters and sort). Named statements need a
 * direct connection or a pooler with protocol-level prepared statements
 * (Neon's has them).
 */
export class TasksRepository {
  private readonly statements = new Map<string, { execute(values: Record<string, unknown>): Promise<unknown> }>();
  /**
   * Totals this process counted for a search or a priority filter, with the
   * version of the person's counts they were counted at (schema.ts,
   * `taskCounts`). The statement compares it and counts again only if a
   * write moved it, so paging through a search, or asking it again, does
   * not count its matches every time. Oldest entry out first when full.
   */
  private readonly countedTotals = new Map<string, CountedTotal>();

  private readonly creates: CreateBatches<NewTask, TaskRecord>;

  /** `createBatches`: for the pool `db` uses (createBatchLimits). */
  constructor(
    private readonly db: NodePgDatabase,
    createBatches: CreateBatchLimits,
  ) {
    this.creates = new CreateBatches(
      (batch) => this.insertTasks(batch),
      (task) => task.userId,
      createBatches,
    );
  }

  /**
   * The statement for query shape `key`, built by `build` the first time it
   * is asked for. Its name comes from the key (hashed: PostgreSQL keeps 63
   * bytes of a name), so the same shape has the same name whatever the order
   * of requests, and two shapes never share one.
   */
  private statement<T>(key: string, build: (name: string) => { execute(values: Record<string, unknown>): Promise<T> }) {
    let statement = this.statements.get(key);
    if (!statement) {
      statement = build(`tasks_${createHash("sha256").update(key).digest("hex").slice(0, 24)}`);
      this.statements.set(key, statement);
    }
    return statement as { execute(values: Record<string, unknown>): Promise<T> };
  }

  /**
   * A page of the user's tasks as one JSON array text, and how many match in all.
   *
   * What it costs follows the page, not the person: the page walks the index
   * that holds the sort's order (schema.ts) and stops after `offset + limit`
   * entries, reading only ids and sort keys there; the JSON is built for the page's rows
   * alone, each fetched by its primary key. The total comes from the person's counts (one
   * row, kept by triggers), or, for a search or a priority filter,
   * from counting the matches, unless a total counted before still stands
   * (`countedTotals`). One statement, one round trip. A search's page is
   * read from the trigram indexes (all the matches, then sorted) unless a
   * counted total says its text is common enough that walking the sort's
   * index reads less (`walkReadsLess`).
   */
  async listTasksForUser(user: string, query: TaskListQuery): Promise<{ json: string; total: number }> {
    const order = query.order ?? defaultOrder(query.sort);
    const pattern = query.q ? containsPattern(query.q) : undefined;
    // A total that is counted depends on the filters alone: not on the sort, the limit or the offset.
    // (An empty `q` is no search, as in `shape` and `listFilter`.)
    const counts = Boolean(query.q) || query.priority !== undefined;
    const countedKey = counts ? JSON.stringify([user, query.status, query.priority, pattern]) : "";
    const known = counts ? this.countedTotals.get(countedKey) : undefined;
    const walk = Boolean(query.q) && known !== undefined && walkReadsLess(query, known);
    const search = query.q ? (walk ? "walk" : "q") : "";
    const shape = `list:${query.status}:${query.priority ? "p" : ""}:${search}:${query.sort}:${order}`;
    const values = {
      userId: user,
      priority: query.priority,
      pattern,
      limit: query.limit,
      offset: query.offset,
      knownVersion: known?.version ?? null,
      knownTotal: known?.total ?? null,
    };
    type Row = { items: string | null; total: number; version?: string | null; personTasks?: number | null };
    const list = this.statement<Row[]>(shape, (name) => {
      const terms = orderTerms(query.sort, order);
      // The page: the ids and sort keys of `limit` rows after `offset`, in the sort's order.
      const page = walk ? this.walkedSearchPage(query, terms) : this.indexedPage(query, terms);
      // Each page row's JSON by its primary key. A subquery per row rather than a join: the plan is
      // then the same whatever the limit, so PostgreSQL keeps one generic plan per statement instead
      // of planning every request again (with a join, a plan for an unknown limit looked dearer than
      // one for a known limit, and re-planning a table with this many indexes doubled the list's cost).
      const pageTask = this.db
        .select({ json: taskJson })
        .from(tasks)
        .where(and(eq(tasks.id, page.id), eq(tasks.userId, userId)));
      // The page's rows in the same order again, by the keys it carries: a sort of `limit` rows
      // (a window function in the page would number every row the offset skips).
      const pageOrder = terms.map(
        (term, i) => sql`${sql.identifier(PAGE)}.${sql.identifier(`key${i}`)} ${term.direction}`,
      );
      const items = this.db
        .select({ items: sql<string | null>`string_agg((${pageTask}), ',' ORDER BY ${sql.join(pageOrder, sql`, `)})` })
        .from(page);
      if (!counts) {
        // Without a search or a priority filter, the person's counts (kept by triggers) are the total.
        const fromCounts = {
          all: sql`${taskCounts.tasks}`,
          pending: sql`${taskCounts.tasks} - ${taskCounts.completedTasks}`,
          completed: sql`${taskCounts.completedTasks}`,
        }[query.status];
        const total = this.db.select({ total: fromCounts }).from(taskCounts).where(eq(taskCounts.userId, userId));
        return (
          this.db
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
      const total = this.db.select({ total: sql<number>`count(*)` }).from(tasks).where(listFilter(query));
      const counted = this.db
        .select({
          version: sql<string | null>`max(${taskCounts.version})::text`.as("version"),
          personTasks: sql<number | null>`max(${taskCounts.tasks})`.as("person_tasks"),
        })
        .from(taskCounts)
        .where(eq(taskCounts.userId, userId))
        .as("counted");
      return this.db
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
    });
    const [result] = await list.execute(values);
    const total = result?.total ?? 0;
    if (counts && result?.version && result.version !== known?.version)
      // (personTasks comes with every version; without one, never walk.)
      this.rememberTotal(countedKey, {
        version: result.version,
        total,
        personTasks: result.personTasks ?? Number.POSITIVE_INFINITY,
      });
    return { json: result?.items == null ? "[]" : `[${result.items}]`, total };
  }

  /**
   * The ids and sort keys of `limit` tasks after `offset` that pass the
   * list's filters, in the sort's order: read from the index that holds that
   * order (schema.ts), stopping after `offset + limit` entries; a search
   * takes the trigram indexes instead and sorts its matches.
   */
  private indexedPage(query: TaskListQuery, terms: OrderTerm[]) {
    return this.db
      .select({ id: sql<string>`${tasks.id}`.as("page_id"), ...sortKeys(terms) })
      .from(tasks)
      .where(listFilter(query))
      .orderBy(...sortOrder(terms))
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
  private walkedSearchPage(query: TaskListQuery, terms: OrderTerm[]) {
    const walked = this.db
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
    const keyOf = (i: number) => sql`${sql.identifier(WALK)}.${sql.identifier(`key${i}`)}`;
    return this.db
      .select({
        id: sql<string>`${walked.id}`.as("page_id"),
        ...Object.fromEntries(terms.map((_, i) => [`key${i}`, sql`${keyOf(i)}`.as(`key${i}`)])),
      })
      .from(walked)
      .where(or(ilike(walked.title, sql.placeholder("pattern")), ilike(walked.description, sql.placeholder("pattern"))))
      .orderBy(...terms.map((term, i) => sql`${keyOf(i)} ${term.direction}`))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"))
      .as(PAGE);
  }

  /** Keeps a counted total, the newest last; the oldest goes once there are MAX_COUNTED_TOTALS. */
  private rememberTotal(key: string, counted: CountedTotal): void {
    this.countedTotals.delete(key);
    if (this.countedTotals.size >= MAX_COUNTED_TOTALS) {
      const oldest = this.countedTotals.keys().next().value;
      if (oldest !== undefined) this.countedTotals.delete(oldest);
    }
    this.countedTotals.set(key, counted);
  }

  async getTaskForUser(user: string, task: string): Promise<TaskRecord | undefined> {
    const get = this.statement<TaskRecord[]>("get", (name) =>
      this.db.select(taskRecord).from(tasks).where(ownTask).prepare(name),
    );
    const [row] = await get.execute({ userId: user, taskId: task });
    return row;
  }

  /** Goes to PostgreSQL alone, or with the creates that came while others were out (create-batches.ts). */
  createTaskForUser(user: string, input: TaskCreate): Promise<TaskRecord> {
    return this.creates.add({ id: uuidv7(), userId: user, input });
  }

  /**
   * A create with an `Idempotency-Key`: the task the first create with this
   * key made, or a new one; "key-reused" when the key went with
   * another body. One statement claims the key and inserts the task, so a
   * key never names a task that was not made; a second create with the key
   * waits for the first to commit, then finds its task. (Not batched: these
   * come from people's browsers, one at a time.) "busy" when the key's task
   * was deleted under us twice over: nothing was made, try again.
   */
  async createTaskOnceForUser(
    user: string,
    input: TaskCreate,
    key: string,
  ): Promise<TaskRecord | "key-reused" | "busy"> {
    const requestHash = createHash("sha256")
      .update(JSON.stringify([input.title, input.description, input.priority, input.due_date]))
      .digest("base64url");
    // Twice at most: the first create's task may be deleted (its key with it) between our two statements.
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = uuidv7();
      const created = await this.db.execute<{ id: string; json: string; version: number }>(sql`
        WITH claimed AS (
          INSERT INTO ${taskCreateKeys} (user_id, key, task_id, request_hash)
          VALUES (${user}, ${key}, ${id}, ${requestHash})
          ON CONFLICT (user_id, key) DO NOTHING
          RETURNING task_id
        ), created AS (
          INSERT INTO ${tasks} (id, user_id, title, description, priority, due_date)
          -- (Typed: in a SELECT list an untyped parameter would be text.)
          SELECT task_id, ${user}::uuid, ${input.title}::text, ${input.description}::text,
            ${input.priority}::task_priority, ${input.due_date}::date
          FROM claimed
          RETURNING ${tasks.id} AS id, ${taskJson} AS json, ${tasks.version} AS version
        )
        SELECT id, json, version FROM created`);
      const [task] = created.rows;
      if (task) {
        void this.forgetOldCreateKeys(user);
        return task;
      }
      const earlier = await this.db
        .select({ requestHash: taskCreateKeys.requestHash, ...taskRecord })
        .from(taskCreateKeys)
        .innerJoin(tasks, eq(tasks.id, taskCreateKeys.taskId))
        .where(and(eq(taskCreateKeys.userId, user), eq(taskCreateKeys.key, key), eq(tasks.userId, user)));
      const [found] = earlier;
      if (found) {
        const { requestHash: earlierHash, ...task } = found;
        return earlierHash === requestHash ? task : "key-reused";
      }
    }
    return "busy";
  }

  /**
   * The person's keys older than a day, after a keyed create and in a statement of its own (in the
   * create's, it would lock old key rows that deleting the account also locks, the other way round).
   * Nothing waits for it; if it fails, the next keyed create tries again.
   */
  private async forgetOldCreateKeys(user: string): Promise<void> {
    await this.db
      .delete(taskCreateKeys)
      .where(and(eq(taskCreateKeys.userId, user), sql`${taskCreateKeys.createdAt} < now() - interval '1 day'`))
      .catch(() => {});
  }

  /** One INSERT for the batch's rows; if it fails for one of them, each is tried alone. */
  private async insertTasks(batch: NewTask[]): Promise<JobOutcome<TaskRecord>[]> {
    const [only] = batch;
    if (only && batch.length === 1) return [{ ok: true, value: await this.insertTask(only) }];
    try {
      const rows = await this.insertStatement(batch.length).execute(
        Object.assign({}, ...batch.map((task, i) => newTaskValues(task, i))),
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      return batch.map((task) => {
        const row = byId.get(task.id);
        return row ? { ok: true, value: row } : { ok: false, error: new Error("INSERT … RETURNING left out a row") };
      });
    } catch (error) {
      if (!failedForItsData(error)) throw error;
      // One row failed the whole statement, which PostgreSQL then undid (its person was deleted
      // since the token was issued: 23503). Alone, one after the other on this batch's place in
      // the pool, each gets its own answer.
      const outcomes: JobOutcome<TaskRecord>[] = [];
      for (const task of batch) {
        outcomes.push(
          await this.insertTask(task).then(
            (value) => ({ ok: true, value }) as const,
            (failure: unknown) => ({ ok: false, error: failure }) as const,
          ),
        );
      }
      return outcomes;
    }
  }

  private async insertTask(task: NewTask): Promise<TaskRecord> {
    const [row] = await this.insertStatement(1).execute(newTaskValues(task, 0));
    if (!row) throw new Error("INSERT … RETURNING returned no row");
    return row;
  }

  /** The INSERT of `count` rows (a statement for each count, named and planned once like the others). */
  private insertStatement(count: number) {
    return this.statement<TaskRecord[]>(count === 1 ? "create" : `create:${count}`, (name) =>
      this.db
        .insert(tasks)
        .values(
          Array.from({ length: count }, (_, i) => ({
            id: sql.placeholder(`id${i}`),
            userId: sql.placeholder(`userId${i}`),
            title: sql.placeholder(`title${i}`),
            description: sql.placeholder(`description${i}`),
            priority: sql.placeholder(`priority${i}`),
            dueDate: sql.placeholder(`dueDate${i}`),
          })),
        )
        .returning(taskRecord)
        .prepare(name),
    );
  }

  /** PUT and PATCH: one UPDATE, guarded by the precondition in the same statement. */
  async updateTaskForUser(
    user: string,
    task: string,
    changes: TaskReplace | TaskPatch,
    precondition: WritePrecondition,
  ): Promise<TaskRecord | WriteRefusal> {
    const named = (Object.keys(editableColumns) as (keyof typeof editableColumns)[]).filter(
      (field) => changes[field] !== undefined,
    );
    const guard = preconditionKind(precondition);
    const update = this.statement<TaskRecord[]>(`update:${named.join(",")}:${guard}`, (name) => {
      const fields = Object.fromEntries(named.map((field) => [editableColumns[field], sql.placeholder(field)]));
      return this.db
        .update(tasks)
        .set(
          named.length > 0
            ? { ...fields, version: sql`${tasks.version} + 1`, updatedAt: sql`now()` }
            : // An empty PATCH changes nothing, not even the version.
              { version: sql`${tasks.version}` },
        )
        .where(and(ownTask, versionGuard(guard)))
        .returning(taskRecord)
        .prepare(name);
    });
    const [row] = await update.execute({ ...changes, userId: user, taskId: task, versions: versionsOf(precondition) });
    return row ?? this.refusal(user, task);
  }

  /** Flips `completed` in one atomic UPDATE (never read-then-write). */
  async toggleTaskForUser(
    user: string,
    task: string,
    precondition: WritePrecondition,
  ): Promise<TaskRecord | WriteRefusal> {
    const guard = preconditionKind(precondition);
    const toggle = this.statement<TaskRecord[]>(`toggle:${guard}`, (name) =>
      this.db
        .update(tasks)
        .set({ completed: sql`NOT ${tasks.completed}`, version: sql`${tasks.version} + 1`, updatedAt: sql`now()` })
        .where(and(ownTask, versionGuard(guard)))
        .returning(taskRecord)
        .prepare(name),
    );
    const [row] = await toggle.execute({ userId: user, taskId: task, versions: versionsOf(precondition) });
    return row ?? this.refusal(user, task);
  }

  async deleteTaskForUser(user: string, task: string, precondition: WritePrecondition): Promise<true | WriteRefusal> {
    const guard = preconditionKind(precondition);
    const remove = this.statement<{ id: string }[]>(`delete:${guard}`, (name) =>
      this.db
        .delete(tasks)
        .where(and(ownTask, versionGuard(guard)))
        .returning({ id: tasks.id })
        .prepare(name),
    );
    const [row] = await remove.execute({ userId: user, taskId: task, versions: versionsOf(precondition) });
    return row ? true : this.refusal(user, task);
  }

  /** A guarded write touched no row: either there is no such task (for this user) or it changed since. */
  private async refusal(user: string, task: string): Promise<WriteRefusal> {
    const exists = this.statement<{ id: string }[]>("exists", (name) =>
      this.db.select({ id: tasks.id }).from(tasks).where(ownTask).prepare(name),
    );
    const [row] = await exists.execute({ userId: user, taskId: task });
    return row ? "precondition-failed" : "not-found";
  }
}

/** Whether a write is guarded by versions (If-Match with tags) or not (no If-Match, or `*`). */
function preconditionKind(precondition: WritePrecondition): "versions" | "none" {
  return precondition?.kind === "versions" ? "versions" : "none";
}

function versionsOf(precondition: WritePrecondition): number[] {
  return precondition?.kind === "versions" ? precondition.versions : [];
}

function versionGuard(kind: "versions" | "none"): SQL | undefined {
  // An empty list of versions (nothing parseable in If-Match) matches no row.
  return kind === "versions" ? sql`${tasks.version} = ANY(${sql.placeholder("versions")}::int[])` : undefined;
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

/** The ORDER BY of a list's order: each key and its direction. */
function sortOrder(terms: OrderTerm[]): SQL[] {
  return terms.map((term) => sql`${term.value} ${term.direction}`);
}

/** One key of a list's order: what is compared, and which way (SQL after the value). */
interface OrderTerm {
  value: SQL;
  direction: SQL;
}

/** The list's order for a sort and direction (schema.ts says which index serves it). */
function orderTerms(sort: TaskListQuery["sort"], order: "asc" | "desc"): OrderTerm[] {
  const term = (value: SQLWrapper, direction: "asc" | "desc", nullsLast = false): OrderTerm => ({
    value: sql`${value}`,
    direction: sql.raw(nullsLast ? `${direction} NULLS LAST` : direction),
  });
  // Ties break by creation (newest first), then id, so paging is stable.
  const ties = [term(tasks.createdAt, "desc"), term(tasks.id, "asc")];
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
