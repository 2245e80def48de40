"use client";
import { useRouter } from "next/navigation";
import { startTransition } from "react";
import { ErrorMessage, NarrowPage } from "@/components/messages";
import { primaryButton } from "@/components/styles";

/**
 * A page that failed while rendering (in the browser, or on the server for a
 * reason other than the database, which lib/unavailable.ts answers): our own
 * words and a way to try again, where Next.js's default page says "Application
 * error" and styles itself inline, which the page's CSP refuses.
 */
export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  return (
    <NarrowPage title="Something went wrong">
      <ErrorMessage>This page could not be shown. Nothing you saved is lost.</ErrorMessage>
      <button
        type="button"
        className={`mt-6 w-full ${primaryButton}`}
        // The server's part is fetched again too (a refresh), then the page is rendered again.
        onClick={() =>
          startTransition(() => {
            router.refresh();
            reset();
          })
        }
      >
        Try again
      </button>
    </NarrowPage>
  );
}
