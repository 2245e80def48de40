"use client";
import { useSyncExternalStore } from "react";

const neverChanges = () => () => {};

/**
 * False in the server's HTML and until React has taken over the page, true
 * after. A form that sends a secret keeps its button disabled until then:
 * submitted before React handles it, the browser would send the form itself,
 * as a GET, with the password in the address (and in history and logs).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    neverChanges,
    () => true,
    () => false,
  );
}
