/**
 * The Task rules that need no validation library: limits and the allowed
 * values. The browser imports these from `@tasks/task-schema/limits`, so the
 * page does not carry Zod only to know a title's maximum length.
 */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 50;
/** The deepest `offset` (PostgreSQL's int4). */
export const LIST_OFFSET_MAX = 2_147_483_647;

/** Lowest first: the order the API sorts by. */
export const priorities = ["low", "medium", "high"] as const;
export type Priority = (typeof priorities)[number];

export const listStatuses = ["all", "pending", "completed"] as const;
export type ListStatus = (typeof listStatuses)[number];
export const listSorts = ["created", "updated", "due", "priority", "title"] as const;
export type ListSort = (typeof listSorts)[number];
