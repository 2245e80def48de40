"use client";
import * as Toast from "@radix-ui/react-toast";

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
}

/**
 * Radix's toast: announced to screen readers, paused while hovered or
 * focused, reachable with F8, dismissed by swiping down or with ×.
 */
export function NoticeToast({ notice, onClose }: { notice: Notice | null; onClose(id: number, acted: boolean): void }) {
  return (
    <Toast.Provider swipeDirection="down" label="Notification">
      {notice && (
        <Toast.Root
          key={notice.id}
          duration={notice.duration}
          onOpenChange={(open) => {
            if (!open) onClose(notice.id, false);
          }}
          className="flex items-center gap-4 rounded-md bg-slate-900 px-4 py-2 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900"
        >
          <Toast.Description>{notice.text}</Toast.Description>
          {notice.action && (
            <Toast.Action
              altText={notice.action.label}
              onClick={() => {
                notice.action?.run();
                onClose(notice.id, true);
              }}
              className="font-semibold underline"
            >
              {notice.action.label}
            </Toast.Action>
          )}
          <Toast.Close aria-label="Dismiss">×</Toast.Close>
        </Toast.Root>
      )}
      <Toast.Viewport className="fixed inset-x-0 bottom-4 z-10 mx-auto flex w-fit max-w-[calc(100vw-2rem)] flex-col gap-2" />
    </Toast.Provider>
  );
}
