"use client";
import * as Tabs from "@radix-ui/react-tabs";
import { DESCRIPTION_MAX, type ListSort, listStatuses } from "@tasks/task-schema/limits";
import { field } from "@/components/styles";
import type { ShownList } from "./shown-list";

/** The page offers every sort but "updated". */
export type Sort = Exclude<ListSort, "updated">;

const STATUS_LABELS = { all: "All", pending: "Pending", completed: "Completed" } as const;

/**
 * Above the list: the tabs with their counts (inside the dashboard's Tabs.Root, which holds the
 * chosen one; arrow keys move between them), the search box and the sort.
 */
export function ListControls({
  counts,
  search,
  onSearch,
  sort,
  onSort,
}: {
  /** Null until some have come: the tabs show no number rather than a wrong one. */
  counts: ShownList["counts"] | null;
  search: string;
  onSearch(search: string): void;
  sort: Sort;
  onSort(sort: Sort): void;
}) {
  return (
    <div className="mb-4 flex flex-wrap items-center gap-2">
      <Tabs.List aria-label="Filter tasks" className="flex rounded-md border border-slate-300 dark:border-slate-700">
        {listStatuses.map((value) => (
          <Tabs.Trigger
            key={value}
            value={value}
            className="px-3 py-1.5 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 data-[state=active]:bg-indigo-700 data-[state=active]:text-white dark:hover:bg-slate-800"
          >
            {STATUS_LABELS[value]}
            {counts && ` (${value === "all" ? counts.pending + counts.completed : counts[value]})`}
          </Tabs.Trigger>
        ))}
      </Tabs.List>
      <label htmlFor="search" className="sr-only">
        Search tasks
      </label>
      <input
        id="search"
        type="search"
        dir="auto"
        value={search}
        onChange={(event) => onSearch(event.target.value)}
        placeholder="Search"
        maxLength={DESCRIPTION_MAX}
        className={`${field} flex-1 py-1.5`}
      />
      <label htmlFor="sort" className="sr-only">
        Sort by
      </label>
      <select
        id="sort"
        value={sort}
        onChange={(event) => onSort(event.target.value as Sort)}
        className={`${field} py-1.5`}
      >
        <option value="created">Newest first</option>
        <option value="due">Due date</option>
        <option value="priority">Priority</option>
        <option value="title">Title A–Z</option>
      </select>
    </div>
  );
}
