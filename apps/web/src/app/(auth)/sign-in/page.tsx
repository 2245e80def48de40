import { redirect } from "next/navigation";
import { safeNext } from "@/lib/next-path";
import { currentSession } from "@/lib/session";
import { AuthForm } from "../auth-form";

export const dynamic = "force-dynamic";

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; ended?: string | string[] }>;
}) {
  const { next: requested, ended } = await searchParams;
  const next = safeNext(requested);
  if (await currentSession()) redirect(next);
  // Sent here from the tasks page, whose session had ended (kept-for-sign-in.ts).
  const notice = ended
    ? "Your session has ended. Sign in again: what you were doing on your tasks page is kept for you."
    : undefined;
  return <AuthForm mode="sign-in" next={next} notice={notice} />;
}
