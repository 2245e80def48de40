import { type ListStatus, listStatuses } from "@tasks/task-schema/limits";
import type { Sort } from "./list-controls";

/**
 * The tab and sort the dashboard shows, kept in its address (`?status=…&sort=…`, the Task API's
 * own names; the defaults left out): a reload, Back from another page, a bookmark or a link shows
 * the same list. Not the search: what a person searches for is theirs, and an address goes into
 * the browser's history (where the next person at a shared computer finds it), bookmarks and
 * server logs; the search is kept in the tab for its person instead (use-list-view.ts).
 */
export interface AddressedView {
  status: ListStatus;
  sort: Sort;
}

export const DEFAULT_VIEW: AddressedView = { status: "all", sort: "created" };

const PAGE_SORTS: readonly Sort[] = ["created", "due", "priority", "title"];

/** The view an address asks for (`first`: a parameter's first value); what is not ours is the default. */
export function viewFromAddress(first: (name: string) => string | undefined): AddressedView {
  const status = listStatuses.find((value) => value === first("status"));
  const sort = PAGE_SORTS.find((value) => value === first("sort"));
  return { status: status ?? DEFAULT_VIEW.status, sort: sort ?? DEFAULT_VIEW.sort };
}

/**
 * `search` (a location's `?…`) with the view's parameters in it, any others (a link's `?error=…`)
 * kept as they were.
 */
export function searchWithView(search: string, view: AddressedView): string {
  const params = new URLSearchParams(search);
  for (const name of ["status", "sort"] as const) {
    if (view[name] === DEFAULT_VIEW[name]) params.delete(name);
    else params.set(name, view[name]);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The dashboard's own address for a view: `/tasks`, with the view's parameters when not the defaults. */
export function dashboardAddress(view: AddressedView): string {
  return `/tasks${searchWithView("", view)}`;
}

/** Where a signed-out visit to the dashboard goes: sign in, then back to the same view. */
export function signInFor(view: AddressedView): string {
  const path = dashboardAddress(view);
  // The plain one as the contract writes it; a view's, encoded (its `&` would end `next`).
  return path === "/tasks" ? "/sign-in?next=/tasks" : `/sign-in?next=${encodeURIComponent(path)}`;
}
