"use client";
import Link from "next/link";
import { BusyButton } from "@/components/busy-button";
import { secondaryButton } from "@/components/styles";

/** The page's title, who is signed in, the way to the account page, and "Sign out". */
export function DashboardHeader({
  email,
  signingOut,
  onSignOut,
}: {
  email: string;
  signingOut: boolean;
  onSignOut: () => void;
}) {
  return (
    <header className="mb-6 flex flex-wrap items-center justify-between gap-3">
      <h1 className="text-2xl font-semibold">Tasks</h1>
      {/* On a narrow screen (320 px, or 400 % zoom) the address breaks and the buttons wrap under it. */}
      <div className="flex min-w-0 flex-wrap items-center gap-3 text-sm">
        <span
          className="min-w-0 text-slate-700 [overflow-wrap:anywhere] dark:text-slate-300"
          data-testid="signed-in-email"
        >
          {email}
        </span>
        <Link href="/account" className={secondaryButton}>
          Account
        </Link>
        <BusyButton type="button" onClick={onSignOut} busy={signingOut} className={secondaryButton}>
          {signingOut ? "Signing out…" : "Sign out"}
        </BusyButton>
      </div>
    </header>
  );
}
