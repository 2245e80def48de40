"use client";
import type { ListStatus } from "@tasks/task-schema/limits";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Kept } from "./kept-for-sign-in";
import type { Sort } from "./list-controls";
import { type AddressedView, searchWithView, viewFromAddress } from "./view-address";

/** What "Show more" counts its pages for, and what a load is of: another tab, sort or search is another list. */
export function filterKey(status: ListStatus, sort: Sort, query: string): string {
  return `${status}|${sort}|${query}`;
}

/** The search and tab shown of a filterKey, as the list loaded for it says what it is. */
export function viewOfFilter(key: string): { status: ListStatus; query: string } {
  const [status, , ...query] = key.split("|");
  return { status: status as ListStatus, query: query.join("|") };
}

/** The person's last search in this tab (sessionStorage: gone with the tab, and never another person's). */
const searchKey = (userId: string) => `tasks:search:${userId}`;

/**
 * The list the person asks to see: its tab and sort (kept in the page's address, view-address.ts),
 * its search (as typed, and as searched for once they pause; kept in the tab for this person, so a
 * reload or Back finds it), and how many pages of it ("Show more").
 */
export function useListView(initial: AddressedView, userId: string) {
  // The address as it is now: on Back, Next.js draws this page from what the server sent when it
  // was first loaded, whose view may be another. (On the server, and so when the page is first
  // drawn in the browser, both are the same address.)
  const [status, setStatus] = useState<ListStatus>(() => fromLocation(initial).status);
  const [sort, setSort] = useState<Sort>(() => fromLocation(initial).sort);
  /** The search box's text; `query` is what is searched for (trimmed, once typing pauses). */
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  /**
   * How many pages of LIST_LIMIT_MAX tasks the person asked to see ("Show more"), for the tab, sort
   * and search they asked in: any other filter starts again from one page.
   */
  const [more, setMore] = useState({ filter: "", pages: 1 });
  const filter = filterKey(status, sort, query);
  const pages = more.filter === filter ? more.pages : 1;

  // The search this person had in this tab (read after the first drawing, which the server's must match).
  const searchRead = useRef(false);
  useEffect(() => {
    const kept = sessionStorage.getItem(searchKey(userId)) ?? "";
    if (kept !== "") {
      setSearch(kept);
      setQuery(kept);
    }
  }, [userId]);
  useEffect(() => {
    // Not before the one above has read it: the first run has the empty search of the first drawing.
    if (!searchRead.current) {
      searchRead.current = true;
      return;
    }
    if (query === "") sessionStorage.removeItem(searchKey(userId));
    else sessionStorage.setItem(searchKey(userId), query);
  }, [query, userId]);

  // Search as the person types, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  // The tab and sort in the page's address, replaced as they change (not pushed: Back leaves the
  // page rather than stepping back through every tab). With Next.js's own history state, which its
  // router takes as its own write: given none, it would take the address as a navigation of its
  // own and drop one still on its way (a link clicked a moment before).
  useEffect(() => {
    const { pathname, search: before, hash } = window.location;
    const after = searchWithView(before, { status, sort });
    if (after !== before) window.history.replaceState(window.history.state, "", `${pathname}${after}${hash}`);
  }, [status, sort]);

  /** The view kept across a sign-in, shown again. */
  const restore = useCallback((shown: Kept["view"]) => {
    setStatus(shown.status);
    setSort(shown.sort);
    setSearch(shown.query);
    setQuery(shown.query);
    setMore({ filter: filterKey(shown.status, shown.sort, shown.query), pages: shown.pages });
  }, []);

  /** `count` pages of the list shown. */
  const showPages = (count: number) => setMore({ filter, pages: count });

  return { status, setStatus, sort, setSort, search, setSearch, query, filter, pages, showPages, restore };
}

/** The view the page's address asks for, in the browser; `initial` (the server's reading of it) elsewhere. */
function fromLocation(initial: AddressedView): AddressedView {
  if (typeof window === "undefined") return initial;
  const params = new URLSearchParams(window.location.search);
  return viewFromAddress((name) => params.get(name) ?? undefined);
}
