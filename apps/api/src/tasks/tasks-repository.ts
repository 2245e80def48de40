/**
 * Every SQL statement the Task API runs. Each one carries `user_id = <token's
 * sub>`, so a task of another user is invisible here: it can be neither read,
 * changed nor told apart from one that does not exist.
 *
 * Tasks leave the database as finished JSON text (built by PostgreSQL), which
 * the routes send as they are: no per-row objects, no re-serialisation.
 */
import { tasks } from "@tasks/db";
import {
  defaultOrder,
  type TaskCreate,
  type TaskListQuery,
  type TaskPatch,
  type TaskReplace,
} from "@tasks/task-schema";
import { and, asc, desc, eq, ilike, inArray, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { uuidv7 } from "uuidv7";

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

/** `%`, `_` and `\` in a search are plain characters, not patterns. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

export class TasksRepository {
  constructor(private readonly db: NodePgDatabase) {}

  async listTasksForUser(userId: string, query: TaskListQuery): Promise<{ items: string[]; total: number }> {
    const where = and(
      eq(tasks.userId, userId),
      query.status === "all" ? undefined : eq(tasks.completed, query.status === "completed"),
      query.priority ? eq(tasks.priority, query.priority) : undefined,
      query.q
        ? or(ilike(tasks.title, containsPattern(query.q)), ilike(tasks.description, containsPattern(query.q)))
        : undefined,
    );
    const rows = await this.db
      .select({ json: taskJson, total: sql<number>`count(*) OVER ()`.mapWith(Number) })
      .from(tasks)
      .where(where)
      .orderBy(...listOrder(query))
      .limit(query.limit)
      .offset(query.offset);
    if (rows.length > 0 || query.offset === 0)
      return { items: rows.map((row) => row.json), total: rows[0]?.total ?? 0 };
    // Paged past the end: the window count came back with no row to carry it.
    const [count] = await this.db
      .select({ total: sql<number>`count(*)`.mapWith(Number) })
      .from(tasks)
      .where(where);
    return { items: [], total: count?.total ?? 0 };
  }

  async getTaskForUser(userId: string, taskId: string): Promise<TaskRecord | undefined> {
    const [row] = await this.db.select(taskRecord).from(tasks).where(ownedBy(userId, taskId));
    return row;
  }

  async createTaskForUser(userId: string, input: TaskCreate): Promise<TaskRecord> {
    const [row] = await this.db
      .insert(tasks)
      .values({
        id: uuidv7(),
        userId,
        title: input.title,
        description: input.description,
        priority: input.priority,
        dueDate: input.due_date,
      })
      .returning(taskRecord);
    if (!row) throw new Error("INSERT … RETURNING returned no row");
    return row;
  }

  /** PUT and PATCH: one UPDATE, guarded by the precondition in the same statement. */
  async updateTaskForUser(
    userId: string,
    taskId: string,
    changes: TaskReplace | TaskPatch,
    precondition: WritePrecondition,
  ): Promise<TaskRecord | WriteRefusal> {
    const fields = {
      ...(changes.title !== undefined && { title: changes.title }),
      ...(changes.description !== undefined && { description: changes.description }),
      ...(changes.completed !== undefined && { completed: changes.completed }),
      ...(changes.priority !== undefined && { priority: changes.priority }),
      ...(changes.due_date !== undefined && { dueDate: changes.due_date }),
    };
    const changesSomething = Object.keys(fields).length > 0;
    const [row] = await this.db
      .update(tasks)
      .set(
        changesSomething
          ? { ...fields, version: sql`${tasks.version} + 1`, updatedAt: sql`now()` }
          : // An empty PATCH changes nothing, not even the version.
            { version: sql`${tasks.version}` },
      )
      .where(and(ownedBy(userId, taskId), versionMatches(precondition)))
      .returning(taskRecord);
    return row ?? this.refusal(userId, taskId);
  }

  /** Flips `completed` in one atomic UPDATE (never read-then-write). */
  async toggleTaskForUser(
    userId: string,
    taskId: string,
    precondition: WritePrecondition,
  ): Promise<TaskRecord | WriteRefusal> {
    const [row] = await this.db
      .update(tasks)
      .set({ completed: sql`NOT ${tasks.completed}`, version: sql`${tasks.version} + 1`, updatedAt: sql`now()` })
      .where(and(ownedBy(userId, taskId), versionMatches(precondition)))
      .returning(taskRecord);
    return row ?? this.refusal(userId, taskId);
  }

  async deleteTaskForUser(
    userId: string,
    taskId: string,
    precondition: WritePrecondition,
  ): Promise<true | WriteRefusal> {
    const [row] = await this.db
      .delete(tasks)
      .where(and(ownedBy(userId, taskId), versionMatches(precondition)))
      .returning({ id: tasks.id });
    return row ? true : this.refusal(userId, taskId);
  }

  /** A guarded write touched no row: either there is no such task (for this user) or it changed since. */
  private async refusal(userId: string, taskId: string): Promise<WriteRefusal> {
    const [row] = await this.db.select({ id: tasks.id }).from(tasks).where(ownedBy(userId, taskId));
    return row ? "precondition-failed" : "not-found";
  }
}

function ownedBy(userId: string, taskId: string): SQL | undefined {
  return and(eq(tasks.id, taskId), eq(tasks.userId, userId));
}

function versionMatches(precondition: WritePrecondition): SQL | undefined {
  if (!precondition || precondition.kind === "any") return undefined;
  if (precondition.versions.length === 0) return sql`false`;
  return inArray(tasks.version, precondition.versions);
}

function listOrder(query: TaskListQuery): SQL[] {
  const order = query.order ?? defaultOrder(query.sort);
  const by = order === "asc" ? asc : desc;
  // Ties break by creation (newest first), then id, so paging is stable.
  const ties = [desc(tasks.createdAt), asc(tasks.id)];
  switch (query.sort) {
    case "created":
      return [by(tasks.createdAt), asc(tasks.id)];
    case "updated":
      return [by(tasks.updatedAt), ...ties];
    case "priority":
      return [by(tasks.priority), ...ties];
    case "title":
      return [by(sql`lower(${tasks.title})`), by(tasks.title), ...ties];
    case "due":
      // Tasks without a due date come last whichever way the list runs.
      return [sql`${tasks.dueDate} ${sql.raw(order)} NULLS LAST`, ...ties];
  }
}
