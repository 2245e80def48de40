import { type Dispatch, type SetStateAction, useCallback, useRef } from "react";
import {
  ApiError,
  ChangedElsewhereError,
  SignedOutError,
  type Task,
  type TaskApiClient,
  type TaskChanges,
  type TaskInput,
  type VersionedTask,
} from "@/lib/api-client";
import { describeFailure, type FailedChange } from "./error-banner";
import { newIdempotencyKey } from "./idempotency-key";
import { countedAs, countedMoved, type ShownList, withoutTask } from "./shown-list";
import type { SaveOutcome } from "./task-row";

interface TaskChangesOptions {
  api: TaskApiClient;
  /** The tasks shown now. */
  tasks: Task[] | null;
  setList: Dispatch<SetStateAction<ShownList>>;
  /** Says in the banner what failed; `retry` (when given) tries it again; `change`: a completion's. */
  onFailure: (failure: unknown, what: string, retry?: () => void, change?: FailedChange) => void;
  /** Says in the banner what happened to this task, with no Retry. */
  tell: (text: string, taskId: string) => void;
  /** Reloads the list and its counts, with the filters as they are then. */
  reload: () => void;
  goToSignIn: () => void;
  /** The task's row is about to go: the focus, if it is in that row (or nowhere), goes to the row taking its place. */
  focusList: (taskId: string) => void;
  /** The list shows one status only ("Pending" or "Completed"): a toggled task leaves it. */
  oneStatusShown: boolean;
  /** The person has deleted this task here (it waits to be sent, or is gone). */
  wasDeletedHere: (taskId: string) => boolean;
}

/**
 * The dashboard's changes to a task already there: completing it (shown at once, put back if the API
 * refuses), and editing it (read afresh, saved only onto the version it was made on, or added again
 * if it was deleted elsewhere meanwhile). A task the API no longer has leaves the list, and the
 * banner says why.
 */
export function useTaskChanges(options: TaskChangesOptions) {
  const { api, tasks, setList, onFailure, tell, reload, goToSignIn, focusList, oneStatusShown, wasDeletedHere } =
    options;
  /**
   * The last completion on its way to the API, per task (`write`; each waits for the one before):
   * an edit opened meanwhile reads the task after it lands, or its save would meet the person's own
   * change as a conflict (412). `stored`: the completion as last stored, what a failure puts back;
   * `wanted`: what the last click asked for, what the page shows meanwhile.
   */
  const writesInFlight = useRef(new Map<string, { write: Promise<unknown>; stored: boolean; wanted: boolean }>());
  /**
   * Completions the session's end refused, by task: the last click's. Handed over at sign-in
   * (handOverToggles) and made after it, as deletes are: the sign-in page says the work is kept.
   */
  const refusedToggles = useRef(new Map<string, { task: Task; completed: boolean }>());
  /** The first try of each "add it again" (addAgain) not yet done, its key and fields, by the deleted task's id. */
  const firstAddAgainTries = useRef(new Map<string, { key: string; fields: TaskInput }>());

  /**
   * A task deleted in another tab or on another device: gone from here too, and the page says why.
   * Counted off at once, as it is shown, if it still is (two quick toggles both find it gone), then
   * counted again by the API.
   */
  function dropDeletedElsewhere(task: Task) {
    setList((current) => {
      const shown = current.tasks?.find((t) => t.id === task.id);
      return shown ? { ...withoutTask(task)(current), counts: countedAs(current.counts, shown, -1) } : current;
    });
    reload();
    focusList(task.id);
    tell(`“${task.title}” was deleted in another tab or on another device.`, task.id);
  }

  /**
   * A reloaded list as the person sees it: a task whose completion is on its way shows what the
   * click asked for, not what the API held when the list was read. (A reload that landed meanwhile,
   * the one after an add, flicked the checkbox back, and a click on it then asked for the same again.)
   */
  const showingTogglesOnTheirWay = useCallback(
    (loaded: Task[]): Task[] =>
      loaded.map((task) => {
        const wanted = writesInFlight.current.get(task.id)?.wanted;
        return wanted === undefined || wanted === task.completed ? task : { ...task, completed: wanted };
      }),
    [],
  );

  /**
   * Shows these fields (or a whole newer version) on the task with this id. Completed or not any
   * more, it moves between the tabs' counts at once, as an add or a delete counts at once (a delete
   * right after a tick counts it off where it is now shown); the reload after the change counts again.
   */
  function patchTask(id: string, fields: Partial<Task>) {
    setList((current) => {
      const shown = current.tasks?.find((t) => t.id === id);
      if (!current.tasks || !shown) return current;
      const patched = { ...shown, ...fields };
      const tasks = current.tasks.map((t) => (t.id === id ? patched : t));
      return { ...current, tasks, counts: countedMoved(current.counts, shown, patched) };
    });
  }

  /**
   * Shows the change at once; puts back only this task's flag if the API refuses. A second click
   * before the first is answered is sent after that answer: two requests on their way at once could
   * reach the API in either order, and the task end up as the first click left it.
   */
  async function toggleTask(task: Task, completed = !task.completed) {
    patchTask(task.id, { completed });
    const before = writesInFlight.current.get(task.id);
    // "Completed: yes/no" rather than "flip": a retry after a lost answer cannot undo it.
    const write = (before?.write.catch(() => {}) ?? Promise.resolve()).then(() => api.update(task.id, { completed }));
    // What a failure puts back: as stored before the first of these clicks, then as each answer says.
    const inFlight = { write, stored: before?.stored ?? task.completed, wanted: completed };
    writesInFlight.current.set(task.id, inFlight);
    /** A later click's write follows this one: that one shows the outcome (no flicker back). */
    const overtaken = () => writesInFlight.current.get(task.id) !== inFlight;
    try {
      const saved = await write;
      const latest = writesInFlight.current.get(task.id);
      if (latest) latest.stored = saved.completed;
      if (overtaken()) return;
      patchTask(task.id, saved);
      // In a tab that shows one status the task is about to leave: keep the focus near where it was.
      if (oneStatusShown) focusList(task.id);
      // Counts and the current filter change with it.
      reload();
    } catch (failure) {
      // Deleted here while this was on its way: there is nothing to retry (its Retry would complete a
      // deleted task, or say it was deleted elsewhere), and an Undo's reload shows it as stored.
      if (wasDeletedHere(task.id)) return;
      if (failure instanceof ApiError && failure.status === 404) return dropDeletedElsewhere(task);
      if (overtaken()) return; // the later click's write, sent next, says how it ends
      patchTask(task.id, { completed: inFlight.stored });
      if (failure instanceof SignedOutError) refusedToggles.current.set(task.id, { task, completed });
      // Retry asks again for what this click wanted (`completed`, from the same task as shown then).
      onFailure(failure, `Could not update “${task.title}”`, () => void toggleTask(task), {
        taskId: task.id,
        kind: "toggle",
      });
    } finally {
      if (!overtaken()) writesInFlight.current.delete(task.id);
    }
  }

  /**
   * The task as stored now, with its ETag: an edit starts from it, so its save cannot overwrite a
   * newer change. A failed read is said in the banner, whose Retry is `retry`. `resuming`: an edit
   * brought back from before a sign-in, whose task, deleted elsewhere meanwhile, stays for it
   * ("deleted": its editor offers to add it again) rather than leaving the list with the edit.
   */
  async function loadForEdit(
    id: string,
    retry?: () => void,
    resuming = false,
  ): Promise<VersionedTask | "deleted" | null> {
    await writesInFlight.current.get(id)?.write.catch(() => {}); // its outcome is handled by toggleTask
    try {
      const current = await api.get(id);
      patchTask(id, current.task);
      return current;
    } catch (failure) {
      const shown = tasks?.find((t) => t.id === id);
      if (failure instanceof ApiError && failure.status === 404 && resuming) return "deleted";
      if (failure instanceof ApiError && failure.status === 404 && shown) {
        dropDeletedElsewhere(shown);
        return null;
      }
      onFailure(failure, "Could not open the task for editing", retry);
      return null;
    }
  }

  /** Saves an edit if the task is still the version it was made on (If-Match); the editor shows the outcome. */
  async function saveTask(id: string, changes: TaskChanges, etag: string | null): Promise<SaveOutcome> {
    try {
      patchTask(id, await api.update(id, changes, etag));
      reload(); // a new title or due date may move it, or out of the search's matches
      return { ok: true };
    } catch (failure) {
      if (failure instanceof ChangedElsewhereError) {
        if (!failure.current) return { ok: false, problem: "This task changed elsewhere and could not be read again." };
        patchTask(id, failure.current.task);
        // Stored as asked already: this save's own earlier try, made though its answer was lost.
        if (holdsChanges(failure.current.task, changes)) {
          reload();
          return { ok: true };
        }
        return { ok: false, conflict: failure.current };
      }
      if (failure instanceof SignedOutError) return leaveForSignIn();
      if (failure instanceof ApiError && failure.status === 404) return { ok: false, deleted: true };
      return { ok: false, problem: describeFailure(failure, "Could not save your changes") };
    }
  }

  /**
   * An edit whose task was deleted elsewhere meanwhile, added as a new task in
   * its place, once: a retry (after a lost answer, or a completion that failed)
   * sends the first try's add again, with its key and fields, which gets back
   * the task it made if it made one, and then puts the fields as they are now
   * on it. (A new key for new fields could make a second task beside one made
   * unseen; the first key with new fields is refused by the API.)
   */
  async function addAgain(deleted: Task, fields: TaskInput): Promise<SaveOutcome> {
    const first = firstAddAgainTries.current.get(deleted.id) ?? { key: newIdempotencyKey(), fields };
    firstAddAgainTries.current.set(deleted.id, first);
    try {
      let created = await api.create(first.fields, first.key);
      // Back as it was, with the fields as they are now: done, if it was (a new task starts pending).
      if (deleted.completed || JSON.stringify(fields) !== JSON.stringify(first.fields)) {
        created = await api.update(created.id, { ...fields, completed: deleted.completed });
      }
      firstAddAgainTries.current.delete(deleted.id);
      // The row with the editor (and the focus) gives way to the new task's: the focus goes to it,
      // unless the person has put it somewhere else meanwhile.
      focusList(deleted.id);
      setList((current) => ({
        ...current,
        tasks: current.tasks?.map((task) => (task.id === deleted.id ? created : task)) ?? null,
      }));
      reload(); // the counts, and its place in the sort
      return { ok: true };
    } catch (failure) {
      if (failure instanceof SignedOutError) return leaveForSignIn();
      // Refused as it stands (the fields, not the key): the next try starts afresh, with its fields.
      if (failure instanceof ApiError && failure.status === 422) firstAddAgainTries.current.delete(deleted.id);
      return { ok: false, problem: describeFailure(failure, "Could not add it again") };
    }
  }

  /** The session ended while an editor was saving: off to sign in, which keeps every open edit. */
  function leaveForSignIn(): SaveOutcome {
    goToSignIn();
    return { ok: false, problem: "Your session ended; taking you to sign in." };
  }

  const handOverToggles = useCallback(() => [...refusedToggles.current.values()], []);

  return { toggleTask, loadForEdit, saveTask, addAgain, showingTogglesOnTheirWay, handOverToggles };
}

/** Whether `task` has every field of `changes` as they ask (it needs no save for them). */
function holdsChanges(task: Task, changes: TaskChanges): boolean {
  return Object.entries(changes).every(([field, value]) => task[field as keyof TaskChanges] === value);
}
