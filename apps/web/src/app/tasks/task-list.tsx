"use client";
import { LIST_LIMIT_MAX, type ListStatus } from "@tasks/task-schema/limits";
import { type ReactNode, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { secondaryButton } from "@/components/styles";
import type { Task } from "@/lib/api-client";
import { useSecondsUntil } from "./error-banner";

const dashedBox =
  "rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600 [overflow-wrap:anywhere] dark:border-slate-700 dark:text-slate-400";

/**
 * The list panel's body: the first load's skeleton, or its failure with a
 * Retry of its own; "No tasks"; or each task as `renderTask` draws it.
 */
export function TaskList({
  tasks,
  loadFailed,
  shownFor,
  busy,
  stale,
  onRetryLoad,
  retryLoadAt,
  renderTask,
}: {
  /** null until the first list has come. */
  tasks: Task[] | null;
  /** The last load failed. */
  loadFailed: boolean;
  /** The tab and search the list shown is of: an empty one says which ("No pending tasks."), not "no tasks yet". */
  shownFor: { status: ListStatus; query: string };
  /** More of the list, or another tab, sort or search's, is on its way. */
  busy: boolean;
  /** What is shown is another tab, sort or search's list, until the one asked for comes (drawn with a bar over it, in a `relative` panel). */
  stale: boolean;
  /** Loads the list again; settles once it has come or failed. */
  onRetryLoad: () => Promise<void>;
  /** When the failed load's Retry-After lets it be asked for again (Date.now()'s clock). */
  retryLoadAt?: number;
  renderTask: (task: Task) => ReactNode;
}) {
  // No skeleton that says (to a screen reader too) it is still loading, and a Retry of its own
  // (the banner above may say something else by now).
  if (tasks === null && loadFailed) return <LoadFailed onRetryLoad={onRetryLoad} retryAt={retryLoadAt} />;
  if (tasks === null) {
    // Read as what it is, not as a list of three empty items.
    return (
      <div data-testid="loading-tasks">
        <p role="status" className="sr-only">
          Loading your tasks…
        </p>
        <div aria-hidden="true" className="space-y-2">
          {[0, 1, 2].map((n) => (
            <div key={n} className="h-14 rounded-lg bg-slate-200 motion-safe:animate-pulse dark:bg-slate-800" />
          ))}
        </div>
      </div>
    );
  }
  // A stale list can still be used, so it is not dimmed (its secondary text and buttons would lack
  // contrast): a bar over it says the one asked for is on its way (aria-busy says it to a screen reader).
  const loadingBar = stale && (
    <div
      aria-hidden="true"
      data-testid="list-loading"
      className="absolute inset-x-0 -top-2.5 h-1 rounded-full bg-indigo-500 motion-safe:animate-pulse"
    />
  );
  if (tasks.length === 0) {
    return (
      <>
        {loadingBar}
        <p aria-busy={busy} className={dashedBox}>
          {emptyListText(shownFor.status, shownFor.query)}
        </p>
      </>
    );
  }
  return (
    <>
      {loadingBar}
      <ul aria-label="Your tasks" aria-busy={busy} className="space-y-2">
        {tasks.map(renderTask)}
      </ul>
    </>
  );
}

/** What an empty list says, for the tab and search it is of. */
function emptyListText(status: ListStatus, query: string): string {
  const which = status === "all" ? "" : `${status} `;
  if (query !== "") return `No ${which}tasks match “${query}”.`;
  if (status === "pending") return "No pending tasks.";
  if (status === "completed") return "No completed tasks yet.";
  return "No tasks yet. Add your first one above.";
}

/**
 * "Showing 100 of 240" and "Show 100 more", under a list longer than what is
 * shown (or than one page: some of it went since).
 */
export function ShowMore({
  shown,
  total,
  pages,
  loading,
  onShowMore,
}: {
  shown: number;
  /** How many match (X-Total-Count). */
  total: number;
  /** Pages asked for so far. */
  pages: number;
  loading: boolean;
  onShowMore: () => void;
}) {
  if (shown === 0 || (shown >= total && pages <= 1)) return null;
  return (
    <div className="mt-4 flex items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-400">
      <p data-testid="shown-count">
        Showing {shown.toLocaleString("en-US")} of {Math.max(total, shown).toLocaleString("en-US")}
      </p>
      {shown < total && (
        <BusyButton type="button" onClick={onShowMore} busy={loading} data-show-more className={secondaryButton}>
          {loading ? "Loading…" : `Show ${Math.min(LIST_LIMIT_MAX, total - shown)} more`}
        </BusyButton>
      )}
    </div>
  );
}

/**
 * The first list did not come. Its Retry is busy while the list is asked for again, and a try that
 * fails again is said here, in a few words: the banner above says it again only when it held this
 * load's failure (another change's failure, waiting for its Retry, stays there). Once the list
 * comes, this goes, and the focus with it to the list (focus.ts). A Retry-After counts down, as
 * the banner's Retry does: asked for sooner, the list would only be refused again.
 */
function LoadFailed({ onRetryLoad, retryAt }: { onRetryLoad: () => Promise<void>; retryAt?: number }) {
  const [retrying, setRetrying] = useState(false);
  const [failedTries, setFailedTries] = useState(0);
  const secondsLeft = useSecondsUntil(retryAt);
  const waiting = secondsLeft > 0 && !retrying;
  return (
    <div data-testid="load-failed" className={dashedBox}>
      <p>Your tasks could not be loaded.</p>
      <p role="status" className="mt-1 text-sm">
        {failedTries > 0 && !retrying
          ? `Tried again${failedTries > 1 ? ` (${failedTries} times)` : ""}: not loaded yet.`
          : ""}
      </p>
      <BusyButton
        type="button"
        busy={retrying || waiting}
        onClick={async () => {
          setRetrying(true);
          await onRetryLoad();
          // (Still here: it failed again. Loaded, this is gone.)
          setRetrying(false);
          setFailedTries((tries) => tries + 1);
        }}
        className={`${secondaryButton} mt-3`}
      >
        {retrying ? "Loading…" : "Retry loading"}
        {waiting && <span aria-hidden="true"> in {secondsLeft} s</span>}
      </BusyButton>
    </div>
  );
}
