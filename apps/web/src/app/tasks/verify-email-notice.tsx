"use client";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { authClient } from "@/lib/auth-client";

export type VerificationLinkProblem = "expired" | "invalid" | "unusable";

const LINK_PROBLEM_TEXT: Record<VerificationLinkProblem, string> = {
  expired: "That confirmation link has expired. Ask for a new one.",
  invalid:
    "That confirmation link is not whole: it may have been cut short on its way. Open it from the email again, or ask for a new one.",
  unusable: "That confirmation link no longer works. Ask for a new one.",
};

/** A quiet reminder until the address is confirmed, with a new link on request. */
export function VerifyEmailNotice({
  email,
  linkProblem,
}: {
  email: string;
  linkProblem: VerificationLinkProblem | null;
}) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "confirmed" | "moved" | "failed">("idle");

  async function resend() {
    setState("sending");
    const { error } = await authClient.sendVerificationEmail({ email, callbackURL: "/tasks" });
    // Confirmed (or the address changed) in another tab since this page was drawn: trying again would not help.
    setState(
      !error
        ? "sent"
        : error.code === "EMAIL_ALREADY_VERIFIED"
          ? "confirmed"
          : error.code === "EMAIL_MISMATCH"
            ? "moved"
            : "failed",
    );
  }

  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
      <p role="status">
        {state === "sent"
          ? `We sent a new link to ${email}.`
          : state === "confirmed"
            ? "Your address is confirmed already: there is nothing more to do."
            : state === "moved"
              ? "Your address has changed since this page was opened. Reload the page."
              : state === "failed"
                ? "Could not send the link just now. Try again in a minute."
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
