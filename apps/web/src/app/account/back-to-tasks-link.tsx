"use client";
import Link from "next/link";
import { useSyncExternalStore } from "react";
import { keptDashboardAddress } from "@/lib/kept-search";

/** The kept address changes only on the dashboard, never while this link is shown: nothing to listen to. */
const noChanges = () => () => {};

/**
 * Back to the dashboard as this tab last showed it (its tab and sort, as Back would), not to its
 * defaults: the search, kept in the tab, comes back either way, and without its tab it showed a mix.
 */
export function BackToTasksLink({ userId, className }: { userId: string; className: string }) {
  // As the server drew it (which cannot read the tab's storage) while the page starts; as kept from
  // then on, and from the first drawing when the page is reached within the app (not an effect later,
  // which a click straight away would beat).
  const href = useSyncExternalStore(
    noChanges,
    () => keptDashboardAddress(userId),
    () => "/tasks",
  );
  return (
    <Link href={href} className={className}>
      Back to your tasks
    </Link>
  );
}
