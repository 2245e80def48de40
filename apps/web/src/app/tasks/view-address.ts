import { DESCRIPTION_MAX, type ListStatus, listStatuses } from "@tasks/task-schema/limits";
import type { Sort } from "./list-controls";

/**
 * The tab, sort and search the dashboard shows, kept in its address (`?status=…&sort=…&q=…`, the
 * Task API's own names; the defaults left out): a reload, Back from another page, a bookmark or a
 * link shows the same list. Read on the server (page.tsx) so the first drawing is already right.
 */
export interface ListView {
  status: ListStatus;
  sort: Sort;
  query: string;
}

export const DEFAULT_VIEW: ListView = { status: "all", sort: "created", query: "" };

const PAGE_SORTS: readonly Sort[] = ["created", "due", "priority", "title"];

type SearchParams = Record<string, string | string[] | undefined>;

/** The view an address asks for; what is not one of ours (a sort the page does not offer) is the default. */
export function viewFromAddress(params: SearchParams): ListView {
  const first = (name: string) => {
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const status = listStatuses.find((value) => value === first("status"));
  const sort = PAGE_SORTS.find((value) => value === first("sort"));
  return {
    status: status ?? DEFAULT_VIEW.status,
    sort: sort ?? DEFAULT_VIEW.sort,
    // As the search box holds it: no longer than it takes, and trimmed as the dashboard trims a search.
    query: (first("q") ?? "").slice(0, DESCRIPTION_MAX).trim(),
  };
}

/**
 * `search` (a location's `?…`) with the view's parameters in it, any others (a link's `?error=…`)
 * kept as they were.
 */
export function searchWithView(search: string, view: ListView): string {
  const params = new URLSearchParams(search);
  for (const [name, value, byDefault] of [
    ["status", view.status, DEFAULT_VIEW.status],
    ["sort", view.sort, DEFAULT_VIEW.sort],
    ["q", view.query, DEFAULT_VIEW.query],
  ] as const) {
    if (value === byDefault) params.delete(name);
    else params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
