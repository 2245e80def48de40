import { type Dispatch, type SetStateAction, useEffect, useRef } from "react";
import { ApiError, SignedOutError, type Task, type TaskApiClient } from "@/lib/api-client";
import { undoUntilClosed } from "@/lib/undo-window";
import { type Countdown, startCountdown } from "./countdown";
import type { useNotice } from "./notice-toast";
import { countedAs, isShown, type ShownList, withoutTask } from "./shown-list";

/**
 * A delete inside its undo window (`countdown` sends it), or on its way to the API (`sent`; `sending`
 * settles true once it is done, false if it failed and the task was put back).
 */
type PendingDelete = {
  task: Task;
  sent: boolean;
  countdown?: Countdown;
  sending?: Promise<boolean>;
  from: string | null;
};
const UNDO_MS = 5_000;

interface DeletesWithUndoOptions {
  api: TaskApiClient;
  setList: Dispatch<SetStateAction<ShownList>>;
  notices: Pick<ReturnType<typeof useNotice>, "currentNotice" | "notify" | "closeNotice">;
  /**
   * Says that this delete failed (its task is back in the list, unless the failure is the session's
   * end: then it is made after sign-in, see handOver); `retry` deletes it again.
   */
  onFailure: (failure: unknown, task: Task, retry: () => void) => void;
  /** Reloads the list and its counts: after a delete is done or undone. */
  reload: () => void;
  /** The page is leaving for sign-in (the session is over): a delete could not be sent, so it is not shown as made. */
  isLeavingForSignIn: () => boolean;
  /** Takes the focus near where the task's Delete button was: the button has left the page. */
  focusList: (taskId: string) => void;
  /** A delete that failed once the dashboard had gone: kept for its next visit (keepUnmadeDelete). */
  keepForNextVisit: (task: Task) => void;
  /** Which list is shown now (its tab, sort and search): Undo puts a task back only into the list it left. */
  listShown: () => string | null;
}

/**
 * The dashboard's deletes: a task leaves the list at once, with Undo for five seconds (or until the
 * notice is closed, where the person chose so: lib/undo-window.ts), and is sent then, or sooner when
 * the page is hidden or left, or the dashboard alone is left (the person saw it go). Until the API
 * confirms it, `pendingDeletes` holds it, so that a reload of the list and its counts keeps it out.
 */
export function useDeletesWithUndo(options: DeletesWithUndoOptions) {
  const { api, setList, notices, onFailure, reload, isLeavingForSignIn, focusList, keepForNextVisit, listShown } =
    options;
  const { currentNotice, notify, closeNotice } = notices;
  const pendingDeletes = useRef(new Map<string, PendingDelete>());
  /** Tasks this page has deleted: a completion of one that fails afterwards has nothing to retry (wasDeletedHere). */
  const deletedHere = useRef(new Set<string>());
  /** The dashboard is gone: a delete sent as it went has no list left to reload. */
  const left = useRef(false);
  /**
   * Deletes to be made after sign-in (handOver): refused because the session had ended, or taken
   * from their undo window as the page left for sign-in (every call hands over all of them: a
   * second action may lead to sign-in before the page has gone).
   */
  const forAfterSignIn = useRef<Task[]>([]);

  /** Sends a pending delete (once); true when the task is gone, false when it was put back. */
  function sendDelete(task: Task, sendOptions: { keepalive?: boolean } = {}): Promise<boolean> {
    const entry = pendingDeletes.current.get(task.id);
    if (!entry) return Promise.resolve(true); // undone, or done
    if (entry.sent) return entry.sending ?? Promise.resolve(true); // on its way (or left with the page)
    entry.sent = true;
    entry.countdown?.cancel();
    entry.sending = removeTask(task, sendOptions);
    return entry.sending;
  }

  async function removeTask(task: Task, sendOptions: { keepalive?: boolean }): Promise<boolean> {
    try {
      await api.remove(task.id, sendOptions);
      pendingDeletes.current.delete(task.id);
      deletedHere.current.add(task.id);
      if (!left.current) reload();
      return true;
    } catch (failure) {
      pendingDeletes.current.delete(task.id);
      if (failure instanceof ApiError && failure.status === 404) {
        deletedHere.current.add(task.id);
        // Gone already (deleted elsewhere): the counts it was taken off came from the API, which
        // no longer counted it.
        if (!left.current) reload();
        return true;
      }
      if (left.current) {
        // Sent as the dashboard went (to the account page): nothing here can say so or put it back.
        keepForNextVisit(task);
        return false;
      }
      if (failure instanceof SignedOutError) {
        // Not put back: it is made after sign-in (onFailure leads there, and hands it over).
        forAfterSignIn.current.push(task);
        onFailure(failure, task, () => deleteTask(task));
        return false;
      }
      putBack(task);
      onFailure(failure, task, () => deleteTask(task));
      if (!left.current) reload();
      return false;
    }
  }

  /**
   * A task not deleted after all (undone, or refused), counted again at once and, `intoList`, back
   * in the list at the top; then the reload puts it in its place in the order, or takes it off a tab,
   * search or page it is not in (a refused delete's task is shown wherever the person is, to be seen).
   * A reload that fails leaves it there, not missing.
   */
  function putBack(task: Task, intoList = true) {
    setList((current) => {
      if (isShown(current.tasks, task)) return current;
      const counts = countedAs(current.counts, task, 1);
      if (!intoList) return { ...current, counts };
      return { ...current, tasks: [task, ...(current.tasks ?? [])], total: current.total + 1, counts };
    });
  }

  /**
   * Gone from the list at once, with Undo for five seconds, not counting while the
   * notice is pointed at or has the focus; then sent. (Our own clock: the notice's
   * would stop whenever the window is in the background, leaving the delete pending
   * for as long.)
   */
  function deleteTask(task: Task) {
    // Checked before the task leaves the list: with the session over it could not be sent. It goes
    // with the page to sign-in (handOver) and is made after it, with its Undo again, as a delete the
    // session's end refused.
    if (isLeavingForSignIn()) {
      if (!forAfterSignIn.current.some((kept) => kept.id === task.id)) forAfterSignIn.current.push(task);
      return;
    }
    // Off the tabs' counts too, at once: the person saw it go.
    setList((current) => {
      const without = withoutTask(task)(current);
      return without === current ? current : { ...without, counts: countedAs(without.counts, task, -1) };
    });
    focusList(task.id);
    const entry: PendingDelete = { task, sent: false, from: listShown() };
    pendingDeletes.current.set(task.id, entry);
    // A token in hand: should the page close inside the undo window, the delete goes at once.
    void api.prepareToken();
    const noticeId = notify({
      text: `Deleted “${task.title}”.`,
      action: {
        label: "Undo",
        run: () => {
          if (entry.sent) return notify({ text: "Too late to undo: the task was already deleted.", duration: 4_000 });
          entry.countdown?.cancel();
          pendingDeletes.current.delete(task.id);
          // Into the list it left; on another tab or search since, the reload says whether it belongs.
          putBack(task, listShown() === entry.from);
          reload();
        },
      },
      duration: Number.POSITIVE_INFINITY,
      onDismiss: () => void sendDelete(task),
      onHold: (held) => (held ? entry.countdown?.hold() : entry.countdown?.release()),
    });
    // Chosen on the account page for this browser: no time limit, the notice stays until it goes.
    if (undoUntilClosed()) return;
    entry.countdown = startCountdown(() => {
      closeNotice(noticeId, true);
      void sendDelete(task);
    }, UNDO_MS);
  }

  // Hiding or leaving the page inside an undo window still deletes: the person
  // saw the task go. (The notice's own clock stops while the window is in the
  // background, and a page in the background may never come back.)
  // Each settles true once its task is gone, false if it was put back (sendDelete).
  const sendDeletesNow = useRef((): Promise<boolean[]> => Promise.resolve([]));
  sendDeletesNow.current = () => {
    const sending = [...pendingDeletes.current.values()].map(({ task }) => sendDelete(task, { keepalive: true }));
    if (currentNotice.current?.onDismiss) closeNotice(currentNotice.current.id, true);
    return Promise.all(sending);
  };
  useEffect(() => {
    const onHidden = () => {
      if (document.visibilityState === "hidden") void sendDeletesNow.current();
    };
    const onLeave = () => {
      // A backstop: normally the page was hidden first.
      for (const entry of pendingDeletes.current.values()) {
        if (!entry.sent) api.removeWhileLeaving(entry.task.id);
        entry.sent = true;
      }
    };
    document.addEventListener("visibilitychange", onHidden);
    window.addEventListener("pagehide", onLeave);
    left.current = false;
    return () => {
      document.removeEventListener("visibilitychange", onHidden);
      window.removeEventListener("pagehide", onLeave);
      // The dashboard left for another page of the app (no page load): that is leaving too. Its
      // countdowns would otherwise go on without it, or, held by a pointer or the focus on the
      // notice when it went, never end.
      left.current = true;
      void sendDeletesNow.current();
    };
  }, [api]);

  /**
   * Leaving for sign-in: every delete not made yet, inside its undo window or refused for the
   * session's end, to be made once the person is back (kept with what they typed). Those inside
   * their window are not sent as the page goes: with the session over, they would fail unseen.
   */
  function handOver(): Task[] {
    for (const entry of pendingDeletes.current.values()) {
      if (entry.sent) continue;
      entry.sent = true;
      entry.countdown?.cancel();
      forAfterSignIn.current.push(entry.task);
    }
    return [...forAfterSignIn.current];
  }

  return {
    pendingDeletes,
    /** The person deleted this task here: waiting to be sent, or made. */
    wasDeletedHere: (taskId: string) => pendingDeletes.current.has(taskId) || deletedHere.current.has(taskId),
    deleteTask,
    handOver,
    /** Sends every delete inside its undo window now (before signing out); each true once its task is gone. */
    sendDeletesNow: () => sendDeletesNow.current(),
  };
}
