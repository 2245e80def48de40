"use client";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { messageKey } from "@/components/messages";
import { errorBox } from "@/components/styles";
import { ApiError, UnavailableError } from "@/lib/api-client";

/** What the banner says failed; `retry`: the action that tries it again (without one, it can only be dismissed). */
export interface BannerFailure {
  text: string;
  retry?: () => void;
  /** A load failed (a later load that works ends it). */
  loading?: boolean;
  /** When the server said to try again (Retry-After of a 429 or 503, a time from Date.now()): Retry waits until then. */
  retryAt?: number;
  /** When it was shown (performance.now()): a load asked for before it does not hide it (Dashboard's handle). */
  shownAt?: number;
  /** What failed ("Could not add the task"): a new add ends its own failure, not another change's. */
  what?: string;
  /**
   * The task whose completion or delete failed, and which: the person completing or deleting it
   * again ends this failure (endedBy), whose Retry would otherwise undo what they did since.
   */
  change?: FailedChange;
}

/** A completion or delete of a task that failed (BannerFailure's `change`). */
export interface FailedChange {
  taskId: string;
  kind: "toggle" | "delete";
}

/**
 * Whether the person's new completion or delete of a task ends `failure`: a completion ends a failed
 * completion of it (the new click says what they want now); a delete ends either (the task goes).
 */
export function endedBy(failure: BannerFailure | null, change: FailedChange): boolean {
  return failure?.change?.taskId === change.taskId && (change.kind === "delete" || failure.change.kind === "toggle");
}

/**
 * The failure above the list, with its Retry (or Dismiss). A Retry the API
 * asked to wait for counts the seconds down and does nothing meanwhile:
 * pressed at once, it would only be refused again. Only the text is the
 * alert, and the seconds are not in the button's name: a screen reader
 * would otherwise read them out every second. (BusyButton: a disabled button
 * would drop the keyboard focus.)
 */
export function ErrorBanner({
  failure,
  onPress,
  returnFocus,
}: {
  failure: BannerFailure;
  onPress(): void;
  /** Where the focus goes if the banner goes from under it (a later load that worked ended it). */
  returnFocus(): void;
}) {
  const secondsLeft = useSecondsUntil(failure.retry ? failure.retryAt : undefined);
  const waiting = secondsLeft > 0;
  const banner = useRef<HTMLDivElement>(null);
  const focusGoesTo = useRef(returnFocus);
  focusGoesTo.current = returnFocus;
  // Taken away while its button has the focus: the focus would fall to the page's top. (A layout
  // effect's cleanup runs while the banner is still on the page, so the focus can still be seen in it.)
  useLayoutEffect(() => {
    const element = banner.current;
    return () => {
      if (element?.contains(document.activeElement)) focusGoesTo.current();
    };
  }, []);
  return (
    <div ref={banner} data-testid="error" className={`${errorBox} mb-4 flex items-center justify-between gap-3`}>
      {/* A new element for each failure (each is a new object, messageKey): the same words set again
          on the alert already there would not be read out again. A title with no spaces wraps. */}
      <p role="alert" key={messageKey(failure)} className="min-w-0 [overflow-wrap:anywhere]">
        {failure.text}
      </p>
      <BusyButton
        type="button"
        busy={waiting}
        onClick={onPress}
        className="shrink-0 font-medium underline aria-disabled:cursor-not-allowed aria-disabled:no-underline aria-disabled:opacity-70"
      >
        {failure.retry ? "Retry" : "Dismiss"}
        {waiting && <span aria-hidden="true"> in {secondsLeft} s</span>}
      </BusyButton>
    </div>
  );
}

/** When a failure's Retry-After (a 429's or 503's) says to try again, as a time from Date.now(). */
export function retryAtOf(failure: unknown): number | undefined {
  return failure instanceof UnavailableError && failure.retryAfterSeconds
    ? Date.now() + failure.retryAfterSeconds * 1000
    : undefined;
}

/** Whole seconds left until `time` (0 once it has passed, or without one), drawn again as they go. */
export function useSecondsUntil(time: number | undefined): number {
  const now = useNowWhileBefore(time);
  return time === undefined ? 0 : Math.max(0, Math.ceil((time - now) / 1000));
}

/** Date.now(), read again a few times a second until `time` has passed (once, without one). */
function useNowWhileBefore(time: number | undefined): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (time === undefined) return;
    const timer = setInterval(() => {
      setTick((tick) => tick + 1);
      if (Date.now() >= time) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [time]);
  return Date.now();
}

/** A failure in words, for a person. */
export function describeFailure(failure: unknown, what: string): string {
  if (failure instanceof UnavailableError) return `${what}. ${failure.message}`;
  if (failure instanceof ApiError) return `${what}: ${failure.errors?.[0]?.message ?? failure.message}`;
  return `${what}: something went wrong.`;
}
