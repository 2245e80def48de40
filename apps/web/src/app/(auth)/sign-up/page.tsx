import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNext } from "@/lib/next-path";
import { currentSession } from "@/lib/session";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Create your account" };

export const dynamic = "force-dynamic";

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; deleted?: string }>;
}) {
  const { next: requested, deleted } = await searchParams;
  const next = safeNext(requested);
  if (await currentSession()) redirect(next);
  const notice = deleted ? "Your account and all its tasks were deleted." : undefined;
  return <AuthForm mode="sign-up" next={next} notice={notice} />;
}
