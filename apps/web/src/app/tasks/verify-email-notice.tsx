"use client";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { authClient } from "@/lib/auth-client";

/** A quiet reminder until the address is confirmed, with a new link on request. */
export function VerifyEmailNotice({ email, linkFailed }: { email: string; linkFailed: boolean }) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "failed">("idle");

  async function resend() {
    setState("sending");
    const { error } = await authClient.sendVerificationEmail({ email, callbackURL: "/tasks" });
    setState(error ? "failed" : "sent");
  }

  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
      <p role="status">
        {state === "sent"
          ? `We sent a new link to ${email}.`
          : state === "failed"
            ? "Could not send the link just now. Try again in a minute."
            : linkFailed
              ? "That confirmation link has expired or was already used. Ask for a new one."
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
