import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { ANNOUNCER_ID } from "@/components/announcer";
import "./globals.css";

export const metadata: Metadata = {
  // Each page's own title first ("Sign in · Tasks"): a tab, the history and a screen reader tell them apart.
  title: { default: "Tasks", template: "%s · Tasks" },
  description: "Your tasks, and only yours.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request, so that its scripts carry that request's CSP nonce
  // (a prerendered page's would carry none, and the policy would block them).
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        {children}
        {/* The page's polite live region, there from the start (components/announcer.ts). Not atomic
            (a status is, unless told): each message is read alone, not with those still in it. */}
        <div id={ANNOUNCER_ID} role="status" aria-atomic="false" className="sr-only" />
      </body>
    </html>
  );
}
