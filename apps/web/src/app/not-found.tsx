import type { Metadata } from "next";
import { NarrowPage, NarrowPageLink } from "@/components/messages";

export const metadata: Metadata = { title: "Page not found" };

/** Our own 404: Next.js's default one styles itself inline, which the page's CSP refuses. */
export default function NotFound() {
  return (
    <NarrowPage title="Page not found">
      <p className="text-slate-700 dark:text-slate-300">There is no page at this address.</p>
      <NarrowPageLink href="/tasks">Go to your tasks</NarrowPageLink>
    </NarrowPage>
  );
}
