import type { ListStatus } from "@tasks/task-schema/limits";
import type { Task, TaskChanges } from "@/lib/api-client";
import { DELETED_ACCOUNT_PAGE, keepingAllowed } from "@/lib/signed-out-channel";
import { KEPT_WORK, tabKey } from "@/lib/tab-storage";
import { EMPTY_NEW_TASK, holdsAdd, type NewTask } from "./add-task-form";
import type { Sort } from "./list-controls";

/**
 * What the page had when the session ended: given back only to the same person (on a shared
 * computer, whoever signs in next in this tab must not see it).
 */
export interface Kept {
  userId: string;
  draft: NewTask;
  /** The draft's add, made perhaps although no answer came: sent again, it keeps its key. */
  unansweredAdd: { key: string; body: string } | null;
  /** Every open editor with a change in it, by task. */
  edits: Record<string, TaskChanges>;
  /**
   * Those edits' tasks as shown then: one the list no longer has after sign-in (deleted or changed
   * elsewhere meanwhile, out of the view) is drawn again, so that its editor reopens all the same.
   */
  editedTasks?: Task[];
  /** What they were looking at, so that those edits' tasks are on the page again. */
  view: { status: ListStatus; sort: Sort; query: string; pages: number };
  /** Deletes not made yet (inside their undo window, or refused for the session's end): made after. */
  deletes?: Task[];
  /** Completions the session's end refused (the last asked of each task): made after. */
  toggles?: { task: Task; completed: boolean }[];
}

/** In this tab only (sessionStorage), and read once. (Forgotten with the account: signed-out-channel.ts.) */
const KEPT_KEY = tabKey(KEPT_WORK);

/**
 * Keeps what the person had on the page, then sends them to sign in and back to the dashboard. The
 * sign-in page says why they are there (`ended`): they were at work, not signing in.
 */
export function keepAndSignIn(kept: Kept): void {
  // The account deleted in another tab: nothing kept, and no sign-in to go to.
  if (!keepingAllowed()) {
    window.location.replace(DELETED_ACCOUNT_PAGE);
    return;
  }
  sessionStorage.setItem(KEPT_KEY, JSON.stringify(kept));
  // In the page's place: Back does not lead to a page whose session has ended.
  window.location.replace("/sign-in?next=/tasks&ended=1");
}

/**
 * Keeps what the person had typed and open as the dashboard is left for another page of the app,
 * for its next visit in this tab (takeKept), with the view it had. Nothing when nothing was typed:
 * that view would then put back, for nothing, a tab or search over the one the address asks for.
 */
export function keepForReturn(kept: Kept): void {
  if (!keepingAllowed()) return; // the account, and all it had, are gone
  const typed = JSON.stringify(kept.draft) !== JSON.stringify(EMPTY_NEW_TASK) || Object.keys(kept.edits).length > 0;
  // (An add on its way with nothing typed is no draft: its answer comes to the page, or forgetKeptAdd.)
  if (typed) sessionStorage.setItem(KEPT_KEY, JSON.stringify(kept));
}

/**
 * An add made after the dashboard was left (its answer came to a page no longer shown): the draft
 * kept with it, if it still holds what the task was made with (`madeBody`), is that task now.
 * Coming back as a draft, it would be added again as another task once put right (the list shows
 * the first). `sentBody`: the add that was on its way, kept with the draft.
 */
export function forgetKeptAdd(userId: string, sentBody: string, madeBody: string): void {
  const stored = sessionStorage.getItem(KEPT_KEY);
  const kept = stored ? (JSON.parse(stored) as Kept) : null;
  if (kept?.userId !== userId || kept.unansweredAdd?.body !== sentBody) return;
  sessionStorage.removeItem(KEPT_KEY);
  keepForReturn({ ...kept, unansweredAdd: null, draft: holdsAdd(kept.draft, madeBody) ? EMPTY_NEW_TASK : kept.draft });
}

/** What was kept before a sign-in (or as the dashboard was left), if it was this person's; gone from the tab either way. */
export function takeKept(userId: string): Kept | null {
  const stored = sessionStorage.getItem(KEPT_KEY);
  sessionStorage.removeItem(KEPT_KEY);
  const kept = stored ? (JSON.parse(stored) as Kept) : null;
  return kept?.userId === userId ? kept : null;
}

/** Deletes that failed as the dashboard was left for another page of the app, in this tab, with their person. */
const UNMADE_DELETES_KEY = tabKey("unmade-deletes");

/**
 * Keeps a delete that failed once the dashboard had gone (to the account page): no page was left
 * to say so, and the person saw the task go. Made on the dashboard's next visit, with its Undo.
 */
export function keepUnmadeDelete(userId: string, task: Task): void {
  if (!keepingAllowed()) return; // its account, and the task, are gone

  const kept = readUnmadeDeletes();
  const tasks = kept?.userId === userId ? kept.tasks.filter((t) => t.id !== task.id) : [];
  sessionStorage.setItem(UNMADE_DELETES_KEY, JSON.stringify({ userId, tasks: [...tasks, task] }));
}

/** The deletes kept by keepUnmadeDelete, if they were this person's; gone from the tab either way. */
export function takeUnmadeDeletes(userId: string): Task[] {
  const kept = readUnmadeDeletes();
  sessionStorage.removeItem(UNMADE_DELETES_KEY);
  return kept?.userId === userId ? kept.tasks : [];
}

function readUnmadeDeletes(): { userId: string; tasks: Task[] } | null {
  const stored = sessionStorage.getItem(UNMADE_DELETES_KEY);
  return stored ? (JSON.parse(stored) as { userId: string; tasks: Task[] }) : null;
}
