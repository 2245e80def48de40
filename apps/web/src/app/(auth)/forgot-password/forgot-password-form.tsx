"use client";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { EmailField } from "@/components/email-field";
import { FocusedOutcome } from "@/components/focused-outcome";
import { FormOutcome, FormProblem } from "@/components/form-problem";
import { NarrowPage, NarrowPageLink, SuccessMessage } from "@/components/messages";
import { primaryButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import { authClient } from "@/lib/auth-client";
import { CANNOT_REACH_SERVER, isUnreachable, NOT_AN_EMAIL_TEXT, TOO_MANY_ATTEMPTS } from "@/lib/auth-errors";
import { useHydrated } from "@/lib/use-hydrated";

/**
 * Asks for the address and always answers alike ("if an account exists…"),
 * whether or not one does: the page must not tell who has an account.
 */
export function ForgotPasswordForm() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "").trim();
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.requestPasswordReset({ email, redirectTo: "/reset-password" });
    setPending(false);
    if (failure) {
      setError(
        isUnreachable(failure)
          ? CANNOT_REACH_SERVER
          : failure.status === 429
            ? TOO_MANY_ATTEMPTS
            : // An address the browser takes (me@localhost) that Better Auth's check refuses: trying
              // again would not help.
              failure.status === 400
              ? NOT_AN_EMAIL_TEXT
              : "Could not send the link right now. Try again.",
      );
      return;
    }
    setSentTo(email);
  }

  return (
    <NarrowPage title="Reset your password">
      {sentTo ? (
        <FocusedOutcome>
          <SuccessMessage>
            If an account exists for {sentTo}, we have sent it a link to reset the password. The link works once, for
            one hour.
          </SuccessMessage>
        </FocusedOutcome>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4">
          <FormProblem outcome={error}>
            <p className="text-sm text-slate-700 dark:text-slate-300">
              Enter the email address of your account and we will send you a link to choose a new password.
            </p>
            <EmailField />
            <FormOutcome />
            {/* Not before React has the page: the browser's own submit would put the address in the URL. */}
            <BusyButton type="submit" busy={pending} disabled={!hydrated} className={`w-full ${primaryButton}`}>
              {pending ? "Please wait…" : "Send the link"}
            </BusyButton>
          </FormProblem>
        </form>
      )}
      <NarrowPageLink href="/sign-in">Back to sign in</NarrowPageLink>
    </NarrowPage>
  );
}
