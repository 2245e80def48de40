import type { Task } from "@/lib/api-client";
import { viewOfFilter } from "./use-list-view";

/**
 * What the page shows of the person's tasks: the tasks (null until the first list has come), how
 * many match the filter (X-Total-Count, less deletes not yet sent) and the tabs' counts. One state,
 * so that a change moves them together, and a task that a reload already shows (and counted) is
 * not put back or counted a second time.
 */
export interface ShownList {
  tasks: Task[] | null;
  total: number;
  counts: { pending: number; completed: number };
  /** The counts came with the tasks shown, from one reload: a task shown is counted in them. */
  countsWithTasks: boolean;
  /**
   * The tab, sort and search the tasks were loaded for (the dashboard's filterKey); null before any.
   * The first list that comes brings the counts too, so null also says no counts have come.
   */
  loadedFor: string | null;
}

/**
 * Whether `task` belongs in the list loaded for `loadedFor` (a filterKey; null: no list yet, where
 * it does), as far as the page can tell: its tab, and the search as the API reads it (a substring of
 * the title or the description, whatever the case). A reload has the last word.
 */
export function belongsIn(loadedFor: string | null, task: Task): boolean {
  if (loadedFor === null) return true;
  const { status, query } = viewOfFilter(loadedFor);
  if ((status === "completed" && !task.completed) || (status === "pending" && task.completed)) return false;
  const lowered = query.toLowerCase();
  return task.title.toLowerCase().includes(lowered) || task.description.toLowerCase().includes(lowered);
}

export function isShown(tasks: Task[] | null, task: Task): boolean {
  return tasks?.some((t) => t.id === task.id) ?? false;
}

/** The tabs' counts with `task` added (1) or taken off (-1) under its status. */
export function countedAs(counts: ShownList["counts"], task: Task, change: 1 | -1): ShownList["counts"] {
  return task.completed
    ? { ...counts, completed: counts.completed + change }
    : { ...counts, pending: counts.pending + change };
}

/** The tabs' counts with a task counted as `before` now counted as `after` (another tab, if its status changed). */
export function countedMoved(counts: ShownList["counts"], before: Task, after: Task): ShownList["counts"] {
  return before.completed === after.completed ? counts : countedAs(countedAs(counts, before, -1), after, 1);
}

/**
 * The tabs' counts as the API gave them with `loaded`, moved for each task `shown` otherwise (its
 * completion on its way: the row shows the click, which the API had not made when it counted, and
 * which the counts then follow, as they do at the click).
 */
export function countedAsShown(counts: ShownList["counts"], loaded: Task[], shown: Task[]): ShownList["counts"] {
  return shown.reduce((moved, task, index) => {
    const asLoaded = loaded[index];
    return asLoaded ? countedMoved(moved, asLoaded, task) : moved;
  }, counts);
}

/** A change of the list that takes `task` off it, and off its total, if it is there. */
export function withoutTask(task: Task) {
  return (current: ShownList): ShownList =>
    current.tasks && isShown(current.tasks, task)
      ? { ...current, tasks: current.tasks.filter((t) => t.id !== task.id), total: current.total - 1 }
      : current;
}
