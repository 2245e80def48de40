"use client";
import { useHydrated } from "@/lib/use-hydrated";

/**
 * A day, as the person's own calendar has it: the server renders the page in
 * its time zone (UTC), so until the page is live in the browser the date is
 * UTC's, then the browser's own.
 */
export function LocalDate({ iso }: { iso: string }) {
  const hydrated = useHydrated();
  return (
    <time dateTime={iso}>{new Date(iso).toLocaleDateString("en", hydrated ? undefined : { timeZone: "UTC" })}</time>
  );
}
