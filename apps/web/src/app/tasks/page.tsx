import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { webConfig } from "@/lib/config";
import { ownEntry } from "@/lib/own-entry";
import { currentSession } from "@/lib/session";
import { Dashboard } from "./dashboard";
import type { VerificationLinkProblem } from "./verify-email-notice";
import { signInFor, viewFromAddress } from "./view-address";

export const metadata: Metadata = { title: "Your tasks" };

export const dynamic = "force-dynamic";

/** Better Auth's refusal of a confirmation link, as the dashboard tells it. */
const LINK_PROBLEMS: Record<string, VerificationLinkProblem> = { TOKEN_EXPIRED: "expired", INVALID_TOKEN: "invalid" };

export default async function TasksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const view = viewFromAddress((name) => [params[name]].flat()[0]);
  const session = await currentSession();
  // Back here after signing in, to the same tab and sort.
  if (!session) redirect(signInFor(view));
  // Better Auth sends a confirmation link it refused back here with ?error=… (a used one is no error: it
  // confirms what is already confirmed): expired, not a token (cut short), or for an address no account has.
  const { error } = params;
  const linkProblem = typeof error !== "string" ? null : (ownEntry(LINK_PROBLEMS, error) ?? "unusable");
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
