"use client";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { FocusedOutcome } from "@/components/focused-outcome";
import { FormOutcome, FormProblem } from "@/components/form-problem";
import { NarrowPage, NarrowPageLink, SuccessMessage } from "@/components/messages";
import { NewPasswordFields } from "@/components/new-password-fields";
import { primaryButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import type { PasskeySummary } from "@/lib/account-passkeys";
import { ACTION_NO_ANSWER_TEXT, answerOfAction, NO_ANSWER } from "@/lib/answer-limit";
import { CANNOT_REACH_SERVER, DATABASE_UNAVAILABLE_TEXT } from "@/lib/auth-errors";
import { readNewPasswordForm } from "@/lib/new-password-form";
import { PASSWORD_LENGTH_TEXT } from "@/lib/password-rules";
import { tellTabsIfSignedOut } from "@/lib/sign-out";
import { useHydrated } from "@/lib/use-hydrated";
import { type UndoFailure, undoTwoFactorWithNewPassword } from "./actions";

/** What the page says when the undo did not happen. */
const FAILURE_TEXT: Record<UndoFailure, string> = {
  link: "This link no longer works: it was used, two-factor sign-in was turned off or set up again meanwhile, or the account has another email address now.",
  password: PASSWORD_LENGTH_TEXT,
  unavailable: DATABASE_UNAVAILABLE_TEXT,
  failed: "Could not turn it off. Try again.",
  "password-changed":
    "Your new password is set and every device was signed out, but two-factor sign-in could not be turned off. Press the button again: this link finishes it.",
};

/** A new password, and with it the second factor the link is for turned off. */
export function UndoTwoFactorForm({
  token,
  email,
  passkeys,
}: {
  token: string;
  email: string;
  passkeys: PasskeySummary[];
}) {
  const [done, setDone] = useState(false);
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  /** The link was refused (used in another tab meanwhile, say): the form is no use, and sign-in the way on. */
  const [linkRefused, setLinkRefused] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const given = readNewPasswordForm(new FormData(event.currentTarget), passkeys);
    if ("problem" in given) return setError(given.problem);
    const { newPassword, keptPasskeys } = given;
    setPending(true);
    setError(null);
    const answer = await answerOfAction(undoTwoFactorWithNewPassword(token, newPassword, keptPasskeys));
    setPending(false);
    // No answer: it may have been done. Reloaded, the page says whether the link was used; if not,
    // pressed again, it finishes it.
    if (answer === NO_ANSWER) return setError(ACTION_NO_ANSWER_TEXT);
    if (!answer) return setError(CANNOT_REACH_SERVER);
    if (!answer.ok) {
      if (answer.reason === "link") setLinkRefused(true);
      return setError(FAILURE_TEXT[answer.reason]);
    }
    setDone(true);
    void tellTabsIfSignedOut();
  }

  if (done) {
    return (
      <NarrowPage title="Two-factor sign-in is off">
        <FocusedOutcome>
          <SuccessMessage>
            Two-factor sign-in is off, your password is changed and every device was signed out. Once signed in, turn
            two-factor sign-in on again with your own authenticator app.
          </SuccessMessage>
        </FocusedOutcome>
        <NarrowPageLink href="/sign-in">Sign in with the new password</NarrowPageLink>
      </NarrowPage>
    );
  }
  return (
    <NarrowPage title="Turn off two-factor sign-in">
      <p className="mb-4 break-words text-sm text-slate-700 dark:text-slate-300">
        Two-factor sign-in was turned on for the Tasks account of {email}. If it was not you, whoever did it knows your
        password. Choose a new one: this turns two-factor sign-in off and signs every device out.
      </p>
      <form onSubmit={onSubmit} className="space-y-4">
        <FormProblem outcome={error}>
          <NewPasswordFields passkeys={passkeys} />
          <FormOutcome />
          <BusyButton type="submit" busy={pending} disabled={!hydrated} className={`w-full ${primaryButton}`}>
            {pending ? "Please wait…" : "Turn it off and change the password"}
          </BusyButton>
        </FormProblem>
      </form>
      {linkRefused ? (
        <NarrowPageLink href="/sign-in">Go to sign in</NarrowPageLink>
      ) : (
        <p className="mt-4 text-sm text-slate-600 dark:text-slate-400">
          If it was you, close this page: nothing changes without the button.
        </p>
      )}
    </NarrowPage>
  );
}
