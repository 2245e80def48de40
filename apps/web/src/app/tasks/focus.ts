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
