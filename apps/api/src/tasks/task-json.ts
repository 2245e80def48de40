/**
 * A task as it leaves the database: the contract's Task as finished JSON text
 * (built by PostgreSQL, sent by the routes as it is), with the version its
 * ETag is made from.
 */
import { tasks } from "@tasks/db";
import { type SQLWrapper, sql } from "drizzle-orm";

/** One task as JSON text, with the version its ETag is made from. */
export interface TaskRecord {
  id: string;
  json: string;
  version: number;
}

const isoUtc = (column: SQLWrapper) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The contract's Task, field for field. */
export const taskJson = sql<string>`json_build_object(
  'id', ${tasks.id}, 'user_id', ${tasks.userId}, 'title', ${tasks.title},
  'description', ${tasks.description}, 'completed', ${tasks.completed},
  'priority', ${tasks.priority}, 'due_date', ${tasks.dueDate},
  'created_at', ${isoUtc(tasks.createdAt)}, 'updated_at', ${isoUtc(tasks.updatedAt)})::text`;

export const taskRecord = { id: tasks.id, json: taskJson, version: tasks.version };
