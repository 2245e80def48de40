/**
 * The Task's shape and the rules for what a client may send, shared by the
 * Task API (validation and its OpenAPI document) and the web app (types and
 * form checks). `../../shared/CONTRACT.md` is the source of these rules.
 */
import { z } from "zod";
import {
  DESCRIPTION_MAX,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  LIST_OFFSET_MAX,
  type ListSort,
  listSorts,
  listStatuses,
  priorities,
  TITLE_MAX,
} from "./limits";

export * from "./limits";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** User and task ids are UUIDs (any version, either case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Lengths count Unicode code points, not UTF-16 units: "🙂" is one character. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate cannot be
 * stored as UTF-8 without changing it: both are refused up front (422), not
 * left to fail in the database.
 */
const storableText = () =>
  z
    .string()
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters")
    .refine((s) => s.isWellFormed(), "must be well-formed Unicode");

const title = storableText()
  .trim()
  .min(1, "title must not be empty")
  .refine((s) => codePointLength(s) <= TITLE_MAX, `title must be at most ${TITLE_MAX} characters`)
  .meta({ description: `1-${TITLE_MAX} characters after trimming`, maxLength: TITLE_MAX });

const description = storableText()
  .refine((s) => codePointLength(s) <= DESCRIPTION_MAX, `description must be at most ${DESCRIPTION_MAX} characters`)
  .meta({ maxLength: DESCRIPTION_MAX });

const priority = z.enum(priorities);

/** A real calendar day as YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const dueDate = z
  .string()
  .refine(isCalendarDate, "due_date must be a date as YYYY-MM-DD")
  .nullable()
  .meta({ format: "date", description: "YYYY-MM-DD, or null for none" });

export const Task = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    title: z.string(),
    description: z.string(),
    completed: z.boolean(),
    priority,
    due_date: z.string().nullable().meta({ format: "date" }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Task" });
export type Task = z.infer<typeof Task>;

// Unknown keys (id, user_id, timestamps included) are dropped, never applied.
export const TaskCreate = z.object({
  title,
  description: description.default(""),
  priority: priority.default("medium"),
  due_date: dueDate.default(null),
});
export type TaskCreate = z.output<typeof TaskCreate>;

/** PUT replaces: an omitted editable field goes back to its default. */
export const TaskReplace = TaskCreate.extend({ completed: z.boolean().default(false) });
export type TaskReplace = z.output<typeof TaskReplace>;

export const TaskPatch = z.object({
  title: title.optional(),
  description: description.optional(),
  completed: z.boolean().optional(),
  priority: priority.optional(),
  due_date: dueDate.optional(),
});
export type TaskPatch = z.output<typeof TaskPatch>;

function wholeNumber(name: string, min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,10}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);
}

/**
 * Query parameters are strict: an unknown name or value, or a repeated one
 * (which arrives as an array), is an error rather than silently ignored.
 */
export const TaskListQuery = z.strictObject({
  status: z.enum(listStatuses).default("all"),
  // As long as the longest text it can match (a description), so that a phrase copied from one is found.
  q: storableText()
    .refine((s) => codePointLength(s) <= DESCRIPTION_MAX, `q must be at most ${DESCRIPTION_MAX} characters`)
    .meta({
      description: "Tasks whose title or description contains this text, in any case; `%`, `_` and `\\` are plain.",
      maxLength: DESCRIPTION_MAX,
    })
    .optional(),
  priority: priority.optional(),
  sort: z.enum(listSorts).default("created"),
  order: z
    .enum(["asc", "desc"])
    .meta({
      description:
        "Default: `desc` for created, updated and priority (newest, highest first); `asc` for due and title.",
    })
    .optional(),
  limit: wholeNumber("limit", 1, LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
  offset: wholeNumber("offset", 0, LIST_OFFSET_MAX).default(0),
});
export type TaskListQuery = z.output<typeof TaskListQuery>;

/** Newest / highest first for time and priority; soonest / A to Z for due date and title. */
export function defaultOrder(sort: ListSort): "asc" | "desc" {
  return sort === "due" || sort === "title" ? "asc" : "desc";
}

/** RFC 9457 problem details, as every error of the Task API is answered. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;
