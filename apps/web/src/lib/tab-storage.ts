"use client";
/**
 * What the app keeps in a tab (sessionStorage): the dashboard's searches and address
 * (kept-search.ts), and what a page kept for a sign-in (app/tasks/kept-for-sign-in.ts). Every key
 * of it is made here, so that all of it can be forgotten at once (a deleted account's tabs).
 */
const PREFIX = "tasks:";

/** The name of what a page kept of the person's work (a draft, open edits) for their return. */
export const KEPT_WORK = "kept";

/** The key of `name` in this tab's storage. */
export function tabKey(name: string): string {
  return PREFIX + name;
}

/** Forgets every key of the app's that starts with one of `names` (each a tabKey's name); with none, all of them. */
export function forgetTabKeys(...names: string[]): void {
  const prefixes = names.length > 0 ? names.map(tabKey) : [PREFIX];
  for (const key of Object.keys(sessionStorage)) {
    if (prefixes.some((prefix) => key.startsWith(prefix))) sessionStorage.removeItem(key);
  }
}
