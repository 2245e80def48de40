"use client";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { authClient } from "@/lib/auth-client";
import { ownEntry } from "@/lib/own-entry";

export type VerificationLinkProblem = "expired" | "invalid" | "unusable";

const LINK_PROBLEM_TEXT: Record<VerificationLinkProblem, string> = {
  expired: "That confirmation link has expired. Ask for a new one.",
  invalid:
    "That confirmation link is not whole: it may have been cut short on its way. Open it from the email again, or ask for a new one.",
  unusable: "That confirmation link no longer works. Ask for a new one.",
};

type ResendOutcome = "sent" | "confirmed" | "moved" | "failed";

/** Better Auth's refusals of a new link that trying again would not change. */
const REFUSALS: Record<string, ResendOutcome> = { EMAIL_ALREADY_VERIFIED: "confirmed", EMAIL_MISMATCH: "moved" };

const RESEND_TEXT: Record<ResendOutcome, (email: string) => string> = {
  sent: (email) => `We sent a new link to ${email}.`,
  confirmed: () => "Your address is confirmed already: there is nothing more to do.",
  moved: () => "Your address has changed since this page was opened. Reload the page.",
  failed: () => "Could not send the link just now. Try again in a minute.",
};

/** A quiet reminder until the address is confirmed, with a new link on request. */
export function VerifyEmailNotice({
  email,
  linkProblem,
}: {
  email: string;
  linkProblem: VerificationLinkProblem | null;
}) {
  const [state, setState] = useState<"idle" | "sending" | ResendOutcome>("idle");

  async function resend() {
    setState("sending");
    const { error } = await authClient.sendVerificationEmail({ email, callbackURL: "/tasks" });
    // Confirmed (or the address changed) in another tab since this page was drawn: trying again would not help.
    setState(!error ? "sent" : (ownEntry(REFUSALS, error.code) ?? "failed"));
  }
  const outcome = state === "idle" || state === "sending" ? null : state;

  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
      <p role="status" className="min-w-0 [overflow-wrap:anywhere]">
        {outcome
          ? RESEND_TEXT[outcome](email)
          : linkProblem
            ? LINK_PROBLEM_TEXT[linkProblem]
            : `Please confirm your email address: open the link we sent to ${email}.`}
      </p>
      <BusyButton
        type="button"
        onClick={resend}
        busy={state === "sending"}
        className="font-medium text-indigo-700 underline aria-disabled:opacity-60 dark:text-indigo-300"
      >
        {state === "sending" ? "Sending…" : "Resend"}
      </BusyButton>
    </div>
  );
}
