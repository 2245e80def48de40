"use client";
/**
 * The dashboard's last search, kept in the tab (sessionStorage) for its person, so that a reload or
 * Back finds it without putting it in the page's address (view-address.ts says why). Forgotten
 * when the browser signs out (signed-out-channel.ts): what a person searched for is not left for
 * whoever uses the computer next.
 */
const PREFIX = "tasks:search:";

export function keptSearch(userId: string): string {
  return sessionStorage.getItem(PREFIX + userId) ?? "";
}

export function keepSearch(userId: string, query: string): void {
  if (query === "") sessionStorage.removeItem(PREFIX + userId);
  else sessionStorage.setItem(PREFIX + userId, query);
}

export function forgetKeptSearches(): void {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
}
