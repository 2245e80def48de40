"use client";
import type { ListStatus } from "@tasks/task-schema/limits";
import { useCallback, useEffect, useState } from "react";
import type { Kept } from "./kept-for-sign-in";
import type { Sort } from "./list-controls";
import { type ListView, searchWithView } from "./view-address";

/** What "Show more" counts its pages for, and what a load is of: another tab, sort or search is another list. */
export function filterKey(status: ListStatus, sort: Sort, query: string): string {
  return `${status}|${sort}|${query}`;
}

/**
 * The list the person asks to see: its tab, sort and search (as typed, and as searched for once
 * they pause), and how many pages of it ("Show more"). Kept in the page's address (view-address.ts).
 */
export function useListView(initial: ListView) {
  const [status, setStatus] = useState<ListStatus>(initial.status);
  const [sort, setSort] = useState<Sort>(initial.sort);
  /** The search box's text; `query` is what is searched for (trimmed, once typing pauses). */
  const [search, setSearch] = useState(initial.query);
  const [query, setQuery] = useState(initial.query);
  /**
   * How many pages of LIST_LIMIT_MAX tasks the person asked to see ("Show more"), for the tab, sort
   * and search they asked in: any other filter starts again from one page.
   */
  const [more, setMore] = useState({ filter: "", pages: 1 });
  const filter = filterKey(status, sort, query);
  const pages = more.filter === filter ? more.pages : 1;

  // Search as the person types, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  // The view in the page's address, replaced as it changes (not pushed: Back leaves the page rather
  // than stepping back through every search typed).
  useEffect(() => {
    const { pathname, search: before, hash } = window.location;
    const after = searchWithView(before, { status, sort, query });
    if (after !== before) window.history.replaceState(null, "", `${pathname}${after}${hash}`);
  }, [status, sort, query]);

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
