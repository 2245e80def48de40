import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { link } from "@/components/styles";
import { listPasskeysOfUser } from "@/lib/account-passkeys";
import { listSessionsOfUser } from "@/lib/account-sessions";
import {
  ADDRESS_TAKEN_SINCE,
  CHANGE_CANCELLED,
  LINK_OLDER_THAN_PASSWORD,
  NEWER_CHANGE_ASKED,
  pendingChangeOfAddress,
} from "@/lib/change-email-links";
import { ownEntry } from "@/lib/own-entry";
import { currentSession } from "@/lib/session";
import { readOrShowUnavailable } from "@/lib/unavailable";
import { BackToTasksLink } from "./back-to-tasks-link";
import { DeleteAccountSection } from "./delete-account-section";
import { LeaveWhenSignedOutElsewhere } from "./leave-when-signed-out-elsewhere";
import { PasskeysSection } from "./passkeys-section";
import { PasswordSection } from "./password-section";
import { ProfileSection } from "./profile-section";
import { SessionsSection } from "./sessions-section";
import { TwoFactorSection } from "./two-factor-section";
import { UndoSection } from "./undo-section";

export const metadata: Metadata = { title: "Your account" };

export const dynamic = "force-dynamic";

/** What /account says of a link that came back with ?error=…, by its code. */
const LINK_PROBLEM_TEXT: Record<string, string> = {
  [LINK_OLDER_THAN_PASSWORD]:
    "That link was asked for before the password changed, so it no longer changes the address. If you want the change, ask again.",
  [NEWER_CHANGE_ASKED]:
    "Another change of address was asked for after that link was sent: only the latest one's link changes the address.",
  [CHANGE_CANCELLED]: "That change of address was cancelled, so its link no longer changes the address.",
  [ADDRESS_TAKEN_SINCE]:
    "That address now belongs to another account, so this one keeps its address. An address can belong to one account only.",
  INVALID_USER:
    "That link is for another account than the one signed in here. Sign out (on your tasks page), then open it again.",
};
const LINK_EXPIRED_TEXT = "That link has expired or was already used. Ask for a new one.";

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const session = await currentSession();
  if (!session) redirect("/sign-in?next=/account");
  const [sessions, passkeys, pendingAddress] = await readOrShowUnavailable(await headers(), () =>
    Promise.all([
      listSessionsOfUser(session.user.id, session.session.id),
      listPasskeysOfUser(session.user.id),
      pendingChangeOfAddress(session.user.id, session.user.email),
    ]),
  );
  // Better Auth sends an expired or used verification link back here with ?error=…, and a change of
  // address opened while another account is signed in with INVALID_USER.
  const { error } = await searchParams;
  const linkProblem = typeof error !== "string" ? null : (ownEntry(LINK_PROBLEM_TEXT, error) ?? LINK_EXPIRED_TEXT);
  return (
    <main className="mx-auto max-w-3xl space-y-8 px-4 py-6 sm:py-10">
      <LeaveWhenSignedOutElsewhere />
      <header className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Your account</h1>
        <BackToTasksLink userId={session.user.id} className={link} />
      </header>
      <ProfileSection
        name={session.user.name}
        email={session.user.email}
        emailVerified={session.user.emailVerified}
        pendingAddress={pendingAddress}
        linkProblem={linkProblem}
        twoFactorEnabled={session.user.twoFactorEnabled === true}
      />
      <PasswordSection twoFactorEnabled={session.user.twoFactorEnabled === true} />
      <TwoFactorSection enabled={session.user.twoFactorEnabled === true} emailVerified={session.user.emailVerified} />
      <PasskeysSection
        passkeys={passkeys}
        emailVerified={session.user.emailVerified}
        twoFactorEnabled={session.user.twoFactorEnabled === true}
      />
      <SessionsSection sessions={sessions} />
      <UndoSection />
      <DeleteAccountSection twoFactorEnabled={session.user.twoFactorEnabled === true} />
    </main>
  );
}
