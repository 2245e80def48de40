"use client";
import type { ListStatus } from "@tasks/task-schema/limits";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { keepDashboardAddress, keepSearch, keptSearch } from "@/lib/kept-search";
import type { Kept } from "./kept-for-sign-in";
import type { Sort } from "./list-controls";
import { dashboardAddress, searchWithView, viewFromAddress } from "./view-address";

/** What "Show more" counts its pages for, and what a load is of: another tab, sort or search is another list. */
export function filterKey(status: ListStatus, sort: Sort, query: string): string {
  return `${status}|${sort}|${query}`;
}

/** The search and tab shown of a filterKey, as the list loaded for it says what it is. */
export function viewOfFilter(key: string): { status: ListStatus; query: string } {
  const [status, , ...query] = key.split("|");
  return { status: status as ListStatus, query: query.join("|") };
}

/**
 * The list the person asks to see: its tab and sort (kept in the page's address, view-address.ts),
 * its search (as typed, and as searched for once they pause; kept in the tab for this person,
 * kept-search.ts, so a reload or Back finds it), and how many pages of it ("Show more"). `ready`:
 * the search kept has been read, so the first load is of the list asked for.
 */
export function useListView(userId: string) {
  // The address the router is drawing (not the server's props: on Back, Next.js draws this page
  // from what the server sent when it was first loaded; nor window.location, which during a
  // navigation here is still the page's before).
  const address = useSearchParams();
  const [initial] = useState(() => viewFromAddress((name) => address.get(name) ?? undefined));
  const [status, setStatus] = useState<ListStatus>(initial.status);
  const [sort, setSort] = useState<Sort>(initial.sort);
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
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const kept = keptSearch(userId);
    if (kept !== "") {
      setSearch(kept);
      setQuery(kept);
    }
    setReady(true);
  }, [userId]);
  useEffect(() => {
    // Not before the one above has read it: until then the search is the first drawing's empty one.
    if (ready) keepSearch(userId, query);
  }, [ready, query, userId]);

  // Search as the person types, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  // The tab and sort in the page's address, replaced as they change (not pushed: Back leaves the
  // page rather than stepping back through every tab), and kept for the account page's way back.
  // Through Next.js's router, which then knows it (given its own history state, it would take it as
  // its own write, and put its older address back at its next change). Before the router has taken
  // over history (this runs first on the first drawing), with its state, which a null would wipe.
  useEffect(() => {
    keepDashboardAddress(userId, dashboardAddress({ status, sort }));
    const { pathname, search: before, hash } = window.location;
    const after = searchWithView(before, { status, sort });
    if (after === before) return;
    const routerListens = window.history.replaceState !== History.prototype.replaceState;
    window.history.replaceState(routerListens ? null : window.history.state, "", `${pathname}${after}${hash}`);
  }, [status, sort, userId]);

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

  return { status, setStatus, sort, setSort, search, setSearch, query, filter, pages, showPages, restore, ready };
}
