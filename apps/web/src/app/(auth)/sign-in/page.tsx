import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { isLinkOutcome, SIGN_IN_AFTER_LINK_TEXT } from "@/lib/link-landing";
import { safeNext } from "@/lib/next-path";
import { currentSession } from "@/lib/session";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Sign in" };

export const dynamic = "force-dynamic";

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; ended?: string | string[]; link?: string | string[] }>;
}) {
  const { next: requested, ended, link } = await searchParams;
  const next = safeNext(requested);
  if (await currentSession()) redirect(next);
  // Sent here from the tasks page, whose session had ended (kept-for-sign-in.ts).
  // Or from an emailed link opened with nobody signed in (link-landing.ts).
  const notice = ended
    ? "Your session has ended. Sign in again: what you were doing on your tasks page is kept for you."
    : isLinkOutcome(link)
      ? SIGN_IN_AFTER_LINK_TEXT[link]
      : undefined;
  return <AuthForm mode="sign-in" next={next} notice={notice} />;
}
