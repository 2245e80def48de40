"use client";
import { type ReactNode, useContext, useEffect, useRef } from "react";
import { announce } from "./announcer";
import { ReadByFocus } from "./focused-outcome";

/**
 * An outcome worth announcing politely (saved, sent, …): shown here, and read out through the page's
 * live region (announcer.ts), once for each message this box shows; not where the focus is moved to
 * it to be read (FocusedOutcome).
 */
export function SuccessMessage({ children }: { children: ReactNode }) {
  const box = useRef<HTMLParagraphElement>(null);
  const said = useRef<string | null>(null);
  const readByFocus = useContext(ReadByFocus);
  useEffect(() => {
    const words = box.current?.textContent ?? "";
    if (words && words !== said.current && !readByFocus) announce(words);
    said.current = words;
  });
  return (
    // A message may quote an address or a name with no spaces, wider than a phone: it wraps.
    <p
      ref={box}
      className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 [overflow-wrap:anywhere] dark:bg-emerald-950 dark:text-emerald-100"
    >
      {children}
    </p>
  );
}
