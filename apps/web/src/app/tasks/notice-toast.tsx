"use client";
import * as Toast from "@radix-ui/react-toast";
import { type RefObject, useEffect, useRef, useState } from "react";

/** A short message at the bottom of the page (undo, changed elsewhere), with at most one action. */
export interface Notice {
  /** A new id starts a new toast (and its timer), even for the same text. */
  id: number;
  text: string;
  action?: { label: string; run: () => void };
  /** How long it stays, in ms (Radix pauses the count while it is hovered or focused); Infinity: until closed. */
  duration: number;
  /** Runs when it goes without its action being taken (timed out, dismissed, or replaced). */
  onDismiss?: () => void;
  /**
   * Told when the person starts (true) and stops (false) pointing at the notice or having the focus
   * in it (F8 goes there): a clock of the caller's own (the undo window) waits meanwhile.
   */
  onHold?: (held: boolean) => void;
}

/**
 * Radix's toast: announced to screen readers, paused while hovered or
 * focused, reachable with F8, dismissed by swiping down or with ×.
 */
export function NoticeToast({
  notice,
  onClose,
  viewport,
}: {
  notice: Notice | null;
  /** Closes it (useNotice's closeNotice, which also takes the focus back to the page if it was in it). */
  onClose(id: number, acted: boolean): void;
  /** Where notices are shown (useNotice's `viewport`). */
  viewport: RefObject<HTMLOListElement | null>;
}) {
  /** The Escape Radix is about to close the notice for was pressed outside it (onEscapeKeyDown). */
  const escapeElsewhere = useRef(false);
  const onHold = notice?.onHold;
  // Listened to on the page itself: the toast is in the viewport on the page, but React's events
  // follow its component tree, where it is not. Read again for each notice: a new one may appear
  // under the pointer or the focus. pointermove as well as pointerenter: the viewport takes no
  // pointer events until Radix has rendered its first toast, so a pointer resting there enters it
  // only once it moves.
  useEffect(() => {
    const element = viewport.current;
    if (!element || !onHold) return;
    const inside = { pointer: element.matches(":hover"), focus: element.contains(document.activeElement) };
    let held = false;
    const report = () => {
      if (held === (inside.pointer || inside.focus)) return;
      held = !held;
      onHold(held);
    };
    const stop = new AbortController();
    const on = (type: string, update: (event: FocusEvent) => void) =>
      element.addEventListener(
        type,
        (event) => {
          update(event as FocusEvent);
          report();
        },
        { signal: stop.signal },
      );
    for (const type of ["pointerenter", "pointermove"]) {
      on(type, () => {
        inside.pointer = true;
      });
    }
    on("pointerleave", () => {
      inside.pointer = false;
    });
    on("focusin", () => {
      inside.focus = true;
    });
    on("focusout", (event) => {
      inside.focus = element.contains(event.relatedTarget as Node | null);
    });
    report();
    return () => {
      stop.abort();
      if (held) onHold(false); // a notice that goes (or is replaced) while held does not stay held
    };
  }, [onHold, viewport]);
  useRoomForTheNotice(viewport, notice !== null);
  return (
    <Toast.Provider swipeDirection="down" label="Notification">
      {notice && (
        <Toast.Root
          key={notice.id}
          duration={notice.duration}
          // Open until we take it away (the notice replaced or closed): Radix's own wish to close it
          // comes through onOpenChange, which may decline it.
          open
          onOpenChange={(open) => {
            if (open) return;
            if (escapeElsewhere.current) {
              escapeElsewhere.current = false;
              return;
            }
            onClose(notice.id, false);
          }}
          // Radix closes a toast on Escape pressed anywhere on the page; closing ours ends its Undo
          // (and sends the delete). An Escape meant for something else (closing an editor, clearing
          // the search) leaves it, and still does its own work: not prevented, only not taken as ours.
          onEscapeKeyDown={(event) => {
            escapeElsewhere.current = !(event.target instanceof Node && viewport.current?.contains(event.target));
          }}
          className="flex items-center gap-4 rounded-md bg-slate-900 px-4 py-2 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900"
        >
          {/* A title with no space in it (a URL) breaks anywhere: Undo and × stay on the screen. */}
          <Toast.Description dir="auto" className="min-w-0 [overflow-wrap:anywhere]">
            {notice.text}
          </Toast.Description>
          {notice.action && (
            <Toast.Action
              // What a screen reader is told of the way to it (Radix's hotkey to the notifications).
              altText={`${notice.action.label}: press F8, then Tab`}
              onClick={() => {
                notice.action?.run();
                onClose(notice.id, true);
              }}
              className="shrink-0 font-semibold underline"
            >
              {notice.action.label}
            </Toast.Action>
          )}
          <Toast.Close aria-label="Dismiss" className="shrink-0">
            ×
          </Toast.Close>
        </Toast.Root>
      )}
      <Toast.Viewport
        ref={viewport}
        className="fixed inset-x-0 bottom-4 z-10 mx-auto flex w-fit max-w-[calc(100vw-2rem)] flex-col gap-2"
      />
    </Toast.Provider>
  );
}

/**
 * While a notice is shown, nothing that has the focus is hidden under it (WCAG 2.4.11): scrolling to a
 * focused element (Tab, focus()) stops short of the notice (scroll-padding), and the page gets as much
 * room below its end, so that its last row can be scrolled above the notice too. Measured, as the
 * notice grows with its words.
 */
function useRoomForTheNotice(viewport: RefObject<HTMLOListElement | null>, shown: boolean): void {
  useEffect(() => {
    const element = viewport.current;
    if (!shown || !element) return;
    const page = document.documentElement;
    const makeRoom = () => {
      const room = `${Math.max(0, window.innerHeight - element.getBoundingClientRect().top) + 8}px`;
      page.style.scrollPaddingBottom = room;
      document.body.style.paddingBottom = room;
    };
    makeRoom(); // at once: a Tab straight after the notice appears is already kept above it
    const resized = new ResizeObserver(makeRoom);
    resized.observe(element);
    window.addEventListener("resize", makeRoom);
    return () => {
      resized.disconnect();
      window.removeEventListener("resize", makeRoom);
      page.style.scrollPaddingBottom = "";
      document.body.style.paddingBottom = "";
    };
  }, [viewport, shown]);
}

/**
 * The page's one notice at a time: `notify` shows one (ending the last, whose onDismiss then runs,
 * e.g. sending its delete) and gives its id; `closeNotice` ends it, if it is still the one shown
 * (`acted`: its action was taken, so onDismiss does not run). `currentNotice` is read by work that
 * finishes later. `viewport` goes to NoticeToast.
 * `returnFocus`: where the focus goes when the notice goes from under it, whatever closes it (its
 * action, ×, Escape in it, or the page hidden, which sends a delete at once).
 */
export function useNotice(returnFocus: () => void) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const currentNotice = useRef<Notice | null>(null);
  const noticeCount = useRef(0);
  const viewport = useRef<HTMLOListElement>(null);
  function notify(next: Omit<Notice, "id">): number {
    currentNotice.current?.onDismiss?.();
    currentNotice.current = { ...next, id: ++noticeCount.current };
    setNotice(currentNotice.current);
    return currentNotice.current.id;
  }
  function closeNotice(id: number, acted: boolean) {
    // Radix leaves a focus that was in the notice on the empty viewport (the next Tab then leaves the
    // page), and a notice closed from here leaves it on nothing: it goes back to the page. (Its action
    // may have shown the next notice already: the focus leaves that one too.) A notice that times out
    // or is replaced while the person is elsewhere moves no focus.
    const focusInNotice = viewport.current?.contains(document.activeElement) ?? false;
    const closing = currentNotice.current;
    if (closing?.id === id) {
      currentNotice.current = null;
      setNotice(null);
      if (!acted) closing.onDismiss?.();
    }
    if (focusInNotice) queueMicrotask(returnFocus); // after Radix has put it on the viewport
  }
  return { notice, currentNotice, notify, closeNotice, viewport };
}
