import { redirect } from "next/navigation";
import { webConfig } from "@/lib/config";
import { currentSession } from "@/lib/session";
import { Dashboard } from "./dashboard";

export const dynamic = "force-dynamic";

export default async function TasksPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in?next=/tasks");
  return (
    <Dashboard
      apiUrl={webConfig().apiUrl}
      userId={session.user.id}
      email={session.user.email}
      emailVerified={session.user.emailVerified}
    />
  );
}
