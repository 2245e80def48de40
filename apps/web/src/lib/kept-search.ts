"use client";
/**
 * The dashboard's last search, kept in the tab (sessionStorage) for its person, so that a reload or
 * Back finds it without putting it in the page's address (view-address.ts says why); and its last
 * address (its tab and sort), so that the account page's "Back to your tasks" shows the same list
 * Back would. Forgotten when the browser signs out (signed-out-channel.ts): what a person searched
 * for is not left for whoever uses the computer next.
 */
import { forgetTabKeys, tabKey } from "./tab-storage";

/** Each followed by the person's id. */
const SEARCH = "search:";
const ADDRESS = "address:";
const PREFIX = tabKey(SEARCH);
const ADDRESS_PREFIX = tabKey(ADDRESS);

export function keptSearch(userId: string): string {
  return sessionStorage.getItem(PREFIX + userId) ?? "";
}

export function keepSearch(userId: string, query: string): void {
  if (query === "") sessionStorage.removeItem(PREFIX + userId);
  else sessionStorage.setItem(PREFIX + userId, query);
}

/** The dashboard's address as this tab last showed it to this person: `/tasks` if never. */
export function keptDashboardAddress(userId: string): string {
  const kept = sessionStorage.getItem(ADDRESS_PREFIX + userId);
  // Only an address of the dashboard's: nothing else the tab holds is followed.
  return kept?.startsWith("/tasks?") ? kept : "/tasks";
}

/** `address`: the dashboard's path and query (`/tasks?status=completed&sort=title`). */
export function keepDashboardAddress(userId: string, address: string): void {
  sessionStorage.setItem(ADDRESS_PREFIX + userId, address);
}

export function forgetKeptSearches(): void {
  forgetTabKeys(SEARCH, ADDRESS);
}
