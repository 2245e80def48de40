/**
 * Every SQL statement the Task API runs. Each one carries `user_id = <token's
 * sub>`, so a task of another user is invisible here: it can be neither read,
 * changed nor told apart from one that does not exist.
 *
 * Tasks leave the database as finished JSON text (built by PostgreSQL), which
 * the routes send as they are: no per-row objects, no re-serialisation
 * (task-json.ts). The list's statement is built in list-query.ts.
 */
import { createHash } from "node:crypto";
import { databaseErrorCode, taskCreateKeys, tasks } from "@tasks/db";
import {
  defaultOrder,
  type TaskCreate,
  type TaskListQuery,
  type TaskPatch,
  type TaskReplace,
} from "@tasks/task-schema";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { uuidv7 } from "uuidv7";
import { CreateBatches, type CreateBatchLimits, type JobOutcome } from "./create-batches";
import { MAX_VERSION } from "./etag";
import {
  type CountedTotal,
  containsPattern,
  type ListRow,
  prepareListStatement,
  userId,
  walkReadsLess,
} from "./list-query";
import { type TaskRecord, taskJson, taskRecord } from "./task-json";

/** Old Idempotency-Keys a sweep deletes at most (forgetOldCreateKeys). */
const SWEPT_KEYS_MAX = 1_000;

/** What an `If-Match` header allows: any existing task, or only these versions. */
export type WritePrecondition = { kind: "any" } | { kind: "versions"; versions: number[] } | undefined;

/** Why a write did not happen. */
export type WriteRefusal = "not-found" | "precondition-failed";

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

/** The editable fields of a Task (API names) and the tasks table's columns for them. */
const editableColumns = {
  title: "title",
  description: "description",
  completed: "completed",
  priority: "priority",
  due_date: "dueDate",
} as const;

/** How many counted totals a process keeps (a few hundred bytes each: keyed by a hash, see countedKey). */
const MAX_COUNTED_TOTALS = 10_000;
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
   * A page of the user's tasks as one JSON array text, and how many match in
   * all: one statement, one round trip (list-query.ts: what it reads, and why
   * its cost follows the page). A total counted before is passed in while it
   * stands (`countedTotals`), and decides whether a search walks.
   */
  async listTasksForUser(user: string, query: TaskListQuery): Promise<{ json: string; total: number }> {
    const order = query.order ?? defaultOrder(query.sort);
    const pattern = query.q ? containsPattern(query.q) : undefined;
    // A total that is counted depends on the filters alone: not on the sort, the limit or the offset.
    // (An empty `q` is no search, as in `shape` and `listFilter`.)
    const counts = Boolean(query.q) || query.priority !== undefined;
    // Hashed: a search of 1,000 characters made a key of up to 8 kB (its `\` doubled twice, two bytes a
    // character with one emoji), and so the totals kept up to 80 MB.
    const countedKey = counts
      ? createHash("sha256")
          .update(JSON.stringify([user, query.status, query.priority, pattern]))
          .digest("base64")
      : "";
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
    const list = this.statement<ListRow[]>(shape, (name) =>
      prepareListStatement(this.db, name, query, { order, walk, counts }),
    );
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
   * Only rows no one else holds: deleting the account locks the same rows in its own order (task by
   * task), and two statements waiting on each other would fail one of them, perhaps the deletion.
   * Nothing waits for it; if it fails, the next keyed create tries again. At most SWEPT_KEYS_MAX a
   * time (read by the index on the person and the key's age): a backlog of old keys goes over the
   * next creates, never in one statement that could outlast the statement timeout, fail, and so
   * leave every old key in place for the next one to fail on again.
   */
  private async forgetOldCreateKeys(user: string): Promise<void> {
    const old = this.db
      .select({ key: taskCreateKeys.key })
      .from(taskCreateKeys)
      .where(and(eq(taskCreateKeys.userId, user), sql`${taskCreateKeys.createdAt} < now() - interval '1 day'`))
      .limit(SWEPT_KEYS_MAX)
      .for("update", { skipLocked: true });
    await this.db
      .delete(taskCreateKeys)
      .where(and(eq(taskCreateKeys.userId, user), inArray(taskCreateKeys.key, old)))
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
            ? { ...fields, version: nextVersion, updatedAt: sql`now()` }
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
        .set({ completed: sql`NOT ${tasks.completed}`, version: nextVersion, updatedAt: sql`now()` })
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

/**
 * A write's new version: one more, and after the largest integer the column holds (2^31 - 1), 1
 * again, where `+ 1` would fail the write (a 500) on a task written two billion times.
 */
const nextVersion = sql`${tasks.version} % ${sql.raw(String(MAX_VERSION))} + 1`;

function versionsOf(precondition: WritePrecondition): number[] {
  return precondition?.kind === "versions" ? precondition.versions : [];
}

function versionGuard(kind: "versions" | "none"): SQL | undefined {
  // An empty list of versions (nothing parseable in If-Match) matches no row.
  return kind === "versions" ? sql`${tasks.version} = ANY(${sql.placeholder("versions")}::int[])` : undefined;
}
