import { type RefObject, useEffect, useRef } from "react";

/**
 * Whether the keyboard's focus is nowhere in particular (on the page's body, where a browser puts
 * it when the focused element goes or is disabled): the page may then put it where the person's
 * work goes on. Focus the person has put somewhere since is left where it is.
 */
export function isFocusLost(): boolean {
  return document.activeElement === null || document.activeElement === document.body;
}

/**
 * Keeps the focus in `panel` when the element that had it leaves the page with a new `content`
 * (a row whose task a reload takes out of the search, tab or page: after a save of a new title,
 * a completion elsewhere): it goes to the panel, where the person's work goes on, not to the top
 * of the page. Focus the person moved out of the panel, even to nothing, stays where it went.
 */
export function useFocusKeptIn(panel: RefObject<HTMLElement | null>, content: unknown): void {
  /** The focus was last put inside the panel, and has not been moved out since. */
  const inPanel = useRef(false);
  useEffect(() => {
    const onFocusIn = (event: FocusEvent) => {
      inPanel.current = panel.current?.contains(event.target as Node) === true;
    };
    // Moved to nothing (a click on the page's background): out of the panel. An element that leaves
    // the page with the focus is not connected any more once the event has run its course.
    const onFocusOut = (event: FocusEvent) => {
      const from = event.target as Node;
      if (event.relatedTarget !== null) return;
      setTimeout(() => {
        // (Unless the focus has come back into the panel meanwhile.)
        if (from.isConnected && !panel.current?.contains(document.activeElement)) inPanel.current = false;
      });
    };
    document.addEventListener("focusin", onFocusIn);
    document.addEventListener("focusout", onFocusOut);
    return () => {
      document.removeEventListener("focusin", onFocusIn);
      document.removeEventListener("focusout", onFocusOut);
    };
  }, [panel]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the content changes
  useEffect(() => {
    if (inPanel.current && isFocusLost()) panel.current?.focus();
  }, [content, panel]);
}

/** The task rows the list panel shows, in order (each `li` carries its task's id as `data-task-id`). */
export function rowsIn(panel: HTMLElement | null): HTMLElement[] {
  return [...(panel?.querySelectorAll<HTMLElement>(":scope > ul > li") ?? [])];
}

/**
 * Where the focus goes as the list panel's rows change, so that a keyboard user goes on from where
 * they were rather than from the top of the page or of a long list. `focusWhereTheRowWas(taskId)`:
 * a task's row is about to go (deleted, completed out of the tab shown, replaced): the focus goes to
 * the list now, and once the row has gone, to the row now in its place (the next task), or the last
 * one. `focusFirstOfMore(shown)`: "Show more" was pressed with `shown` rows; the first row it brings
 * takes the focus once it is there. Any other row a new list takes away with the focus hands it to
 * the list (useFocusKeptIn).
 */
export function useListFocus(
  listPanel: RefObject<HTMLElement | null>,
  { tasks, shownTasks, loadingMore }: { tasks: unknown[] | null; shownTasks: unknown[] | null; loadingMore: boolean },
) {
  /** The first row "Show more" brings (its index): focus goes to it once it is there. */
  const focusRowAt = useRef<number | null>(null);
  /** The row that had the focus as its task began to leave the list (its id, and where it was). */
  const leavingRow = useRef<{ id: string; at: number } | null>(null);

  const focusWhereTheRowWas = (taskId: string) => {
    const rows = rowsIn(listPanel.current);
    const at = rows.findIndex((row) => row.dataset.taskId === taskId);
    // The person is elsewhere (ticked another task since, typing a search): the focus stays there.
    if (!isFocusLost() && !rows[at]?.contains(document.activeElement)) return;
    leavingRow.current = at === -1 ? null : { id: taskId, at };
    listPanel.current?.focus();
  };
  const focusFirstOfMore = (shown: number) => {
    focusRowAt.current = shown;
  };

  // "Show more" brought its tasks: focus goes to the first of them (a screen reader reads on from there),
  // unless the person has moved on to something else meanwhile.
  useEffect(() => {
    const at = focusRowAt.current;
    if (at === null || loadingMore || !tasks) return;
    focusRowAt.current = null;
    if (!isFocusLost() && !document.activeElement?.hasAttribute("data-show-more")) return;
    const row = rowsIn(listPanel.current)[at];
    // None came (the load failed): the focus stays on "Show more", to try again from there.
    if (!row && !isFocusLost()) return;
    (row?.querySelector<HTMLElement>("input, button") ?? listPanel.current)?.focus();
  }, [tasks, loadingMore, listPanel]);
  // The row that was leaving (focusWhereTheRowWas) has gone: its place takes the focus, unless the
  // person has moved it on meanwhile.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the rows shown change
  useEffect(() => {
    const leaving = leavingRow.current;
    const panel = listPanel.current;
    if (!leaving || !panel) return;
    if (document.activeElement !== panel) {
      leavingRow.current = null;
      return;
    }
    const rows = rowsIn(panel);
    if (rows.some((row) => row.dataset.taskId === leaving.id)) return; // not gone yet
    leavingRow.current = null;
    rows[Math.min(leaving.at, rows.length - 1)]?.querySelector<HTMLElement>("input, button")?.focus();
  }, [shownTasks]);
  // A focused row that a new list takes away: the focus goes to the list. (After the effect above,
  // which puts it on the first task "Show more" brought.)
  useFocusKeptIn(listPanel, tasks);

  return { focusWhereTheRowWas, focusFirstOfMore };
}
