import { redirect } from "next/navigation";
import { safeNext } from "@/lib/next-path";
import { currentSession } from "@/lib/session";
import { AuthForm } from "../auth-form";

export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeNext((await searchParams).next);
  if (await currentSession()) redirect(next);
  return <AuthForm mode="sign-in" next={next} />;
}
