"use client";
import { createContext, type ReactNode, useEffect, useRef } from "react";

/** True inside a FocusedOutcome: the focus reads its messages out, so they are not announced too. */
export const ReadByFocus = createContext(false);

/**
 * What replaces a form once it has done its work (a link sent, a password changed): the focus
 * moves to it as it appears. The button that had the focus went with the form, so the focus fell
 * to the page's body, and a screen reader may not read a status that arrives with its words in it.
 */
export function FocusedOutcome({ children }: { children: ReactNode }) {
  const outcome = useRef<HTMLDivElement>(null);
  useEffect(() => outcome.current?.focus(), []);
  return (
    <div ref={outcome} tabIndex={-1} className="outline-none">
      <ReadByFocus value={true}>{children}</ReadByFocus>
    </div>
  );
}
