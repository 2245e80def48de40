import { redirect } from "next/navigation";
import { webConfig } from "@/lib/config";
import { currentSession } from "@/lib/session";
import { Dashboard } from "./dashboard";
import type { VerificationLinkProblem } from "./verify-email-notice";

export const dynamic = "force-dynamic";

/** Better Auth's refusal of a confirmation link, as the dashboard tells it. */
const LINK_PROBLEMS: Record<string, VerificationLinkProblem> = { TOKEN_EXPIRED: "expired", INVALID_TOKEN: "invalid" };

export default async function TasksPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in?next=/tasks");
  // Better Auth sends a confirmation link it refused back here with ?error=… (a used one is no error: it
  // confirms what is already confirmed): expired, not a token (cut short), or for an address no account has.
  const { error } = await searchParams;
  const linkProblem = typeof error !== "string" ? null : (LINK_PROBLEMS[error] ?? "unusable");
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
