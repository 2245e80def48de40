import { redirect } from "next/navigation";
import { webConfig } from "@/lib/config";
import { currentSession } from "@/lib/session";
import { Dashboard } from "./dashboard";

export const dynamic = "force-dynamic";

export default async function TasksPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in?next=/tasks");
  // Better Auth sends an expired or used confirmation link back here with ?error=…
  const linkFailed = typeof (await searchParams).error === "string";
  return (
    <Dashboard
      apiUrl={webConfig().apiUrl}
      userId={session.user.id}
      email={session.user.email}
      emailVerified={session.user.emailVerified}
      verificationLinkFailed={linkFailed}
    />
  );
}
