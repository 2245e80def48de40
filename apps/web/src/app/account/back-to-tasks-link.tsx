"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { keptDashboardAddress } from "@/lib/kept-search";

/**
 * Back to the dashboard as this tab last showed it (its tab and sort, as Back would), not to its
 * defaults: the search, kept in the tab, comes back either way, and without its tab it showed a mix.
 */
export function BackToTasksLink({ userId, className }: { userId: string; className: string }) {
  // Drawn first as the server drew it (which cannot read the tab's storage), then as kept.
  const [href, setHref] = useState("/tasks");
  useEffect(() => setHref(keptDashboardAddress(userId)), [userId]);
  return (
    <Link href={href} className={className}>
      Back to your tasks
    </Link>
  );
}
