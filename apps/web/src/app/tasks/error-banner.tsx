"use client";
import { useEffect, useState } from "react";

/** What failed; `retry`: the action that tries it again (without one, the banner can only be dismissed). */
export interface Failure {
  text: string;
  retry?: () => void;
  /** A load failed (a later load that works ends it). */
  loading?: boolean;
  /** When the API said to try again (429 Retry-After, a time from Date.now()): Retry waits until then. */
  retryAt?: number;
}

/**
 * The failure above the list, with its Retry (or Dismiss). A Retry the API
 * asked to wait for counts the seconds down and does nothing meanwhile:
 * pressed at once, it would only be refused again. (aria-disabled, not
 * disabled: a disabled button would drop the keyboard focus.)
 */
export function ErrorBanner({ failure, onAct }: { failure: Failure; onAct(): void }) {
  const secondsLeft = useSecondsUntil(failure.retry ? failure.retryAt : undefined);
  const waiting = secondsLeft > 0;
  return (
    <div
      role="alert"
      data-testid="error"
      className="mb-4 flex items-center justify-between gap-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
    >
      <span>{failure.text}</span>
      <button
        type="button"
        aria-disabled={waiting}
        onClick={() => {
          if (!waiting) onAct();
        }}
        className="font-medium underline aria-disabled:cursor-not-allowed aria-disabled:no-underline aria-disabled:opacity-70"
      >
        {!failure.retry ? "Dismiss" : waiting ? `Retry in ${secondsLeft} s` : "Retry"}
      </button>
    </div>
  );
}

/** Whole seconds from now until `time` (0 once it has passed, or without one), kept up to date. */
function useSecondsUntil(time: number | undefined): number {
  const left = () => (time === undefined ? 0 : Math.max(0, Math.ceil((time - Date.now()) / 1000)));
  const [seconds, setSeconds] = useState(left);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `left` reads `time`, its one input
  useEffect(() => {
    setSeconds(left());
    if (time === undefined) return;
    const timer = setInterval(() => {
      const now = left();
      setSeconds(now);
      if (now === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [time]);
  return seconds;
}
