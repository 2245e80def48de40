"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { BusyButton } from "@/components/busy-button";
import { LocalDate } from "@/components/local-date";
import { OutcomeMessage, SuccessMessage } from "@/components/messages";
import { secondaryButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import type { SessionSummary } from "@/lib/account-sessions";
import { ACTION_NO_ANSWER_TEXT, answerOfAction, NO_ANSWER } from "@/lib/answer-limit";
import { authClient } from "@/lib/auth-client";
import { DATABASE_UNAVAILABLE_TEXT, describeAuthError, SESSION_ENDED_TEXT } from "@/lib/auth-errors";
import { leaveSignedOut, signOutThisBrowser } from "@/lib/sign-out";
import { ago } from "@/lib/time-ago";
import { type RevokeFailure, revokeSession } from "./actions";
import { Section } from "./section";

/** What the section says when "Sign out" of one device did not happen. */
const REVOKE_FAILURE_TEXT: Record<RevokeFailure, string> = {
  "signed-out": SESSION_ENDED_TEXT,
  "no-such-session": "Could not sign that device out. Try again.",
  unavailable: DATABASE_UNAVAILABLE_TEXT,
};

/** Every device signed in, with "Sign out" for each, and "Sign out everywhere". */
export function SessionsSection({ sessions }: { sessions: SessionSummary[] }) {
  const router = useRouter();
  const [error, setError] = useFormError();
  /** The device last signed out from here, said once its row has gone. */
  const [signedOut, setSignedOut] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // A device signed out: the list is drawn again from the server; its buttons stay busy until it is.
  const [refreshing, startRefresh] = useTransition();
  const busy = pending !== null || refreshing;

  async function signOutSession(session: SessionSummary) {
    setPending(session.id);
    setError(null);
    setSignedOut(null);
    // This device: the session of its cookie, not the id listed. The list may be older than it (turning
    // two-factor sign-in on, or a new password in another tab, gives this browser a new session), and the
    // old id, gone already, would be "signed out" while the browser stayed signed in.
    if (session.current) return signOutThisDevice();
    const answer = await answerOfAction(revokeSession(session.id));
    setPending(null);
    if (answer === NO_ANSWER)
      return setError(`Could not tell whether that device is signed out. ${ACTION_NO_ANSWER_TEXT}`);
    if (!answer?.ok) {
      return setError(answer ? REVOKE_FAILURE_TEXT[answer.reason] : "Could not sign that device out. Try again.");
    }
    setSignedOut(session.device);
    // Its button goes with its row: the focus to the section's heading, not to the top of the page.
    headingRef.current?.focus();
    startRefresh(() => router.refresh());
  }

  async function signOutThisDevice() {
    // Leaving, the page keeps its buttons busy until the next one replaces it.
    const failure = await signOutThisBrowser();
    if (!failure) return;
    setPending(null);
    setError(failure);
  }

  async function signOutEverywhere() {
    setPending("everywhere");
    setError(null);
    setSignedOut(null);
    const { error: failure } = await authClient.revokeSessions();
    if (!failure) return leaveSignedOut();
    setPending(null);
    setError(describeAuthError(failure));
  }

  return (
    <Section id="sessions" title="Where you are signed in" headingRef={headingRef}>
      <ul aria-label="Signed-in devices" className="divide-y divide-slate-200 dark:divide-slate-800">
        {sessions.map((session, index) => (
          <li key={session.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <div>
              <p className="font-medium">
                {session.device}
                {session.current && (
                  <span className="ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-900 dark:bg-indigo-900 dark:text-indigo-100">
                    this device
                  </span>
                )}
              </p>
              {/* The button's description: two devices of the same browser and system share a name. */}
              <p id={`session-details-${index}`} className="text-xs text-slate-600 dark:text-slate-400">
                Last active{" "}
                <time dateTime={session.lastActiveAt} suppressHydrationWarning>
                  {ago(session.lastActiveAt)}
                </time>
                {session.ipAddress ? ` · ${session.ipAddress}` : ""} · signed in <LocalDate iso={session.signedInAt} />
              </p>
            </div>
            <BusyButton
              type="button"
              onClick={() => signOutSession(session)}
              busy={busy}
              aria-label={`Sign out ${session.device}${session.current ? " (this device)" : ""}`}
              aria-describedby={`session-details-${index}`}
              className={secondaryButton}
            >
              {pending === session.id ? "Signing out…" : "Sign out"}
            </BusyButton>
          </li>
        ))}
      </ul>
      {signedOut && <SuccessMessage>Signed out {signedOut}.</SuccessMessage>}
      <OutcomeMessage outcome={error} />
      <BusyButton type="button" onClick={signOutEverywhere} busy={busy} className={secondaryButton}>
        {pending === "everywhere" ? "Signing out…" : "Sign out everywhere"}
      </BusyButton>
    </Section>
  );
}
