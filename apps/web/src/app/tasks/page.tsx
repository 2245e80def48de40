import { redirect } from "next/navigation";
import { webConfig } from "@/lib/config";
import { currentSession } from "@/lib/session";
import { Dashboard } from "./dashboard";

export const dynamic = "force-dynamic";

export default async function TasksPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in?next=/tasks");
  // Better Auth sends a confirmation link it refused back here with ?error=… (a used one is no error: it
  // confirms what is already confirmed): expired, not a token (cut short), or for an address no account has.
  const { error } = await searchParams;
  const linkProblem =
    typeof error !== "string"
      ? null
      : error === "TOKEN_EXPIRED"
        ? "expired"
        : error === "INVALID_TOKEN"
          ? "invalid"
          : "unusable";
  return (
    <Dashboard
      apiUrl={webConfig().apiUrl}
      userId={session.user.id}
      email={session.user.email}
      emailVerified={session.user.emailVerified}
      verificationLinkProblem={linkProblem}
    />
  );
}
