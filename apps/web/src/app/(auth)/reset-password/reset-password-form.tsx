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
import { authClient } from "@/lib/auth-client";
import { CANNOT_REACH_SERVER, isUnreachable, RESET_LINK_USED_TEXT, TOO_MANY_ATTEMPTS } from "@/lib/auth-errors";
import { readNewPasswordForm } from "@/lib/new-password-form";
import { tellTabsIfSignedOut } from "@/lib/sign-out";
import { useHydrated } from "@/lib/use-hydrated";

/**
 * Where the emailed link lands: a new password, checked here before it is sent
 * (a refused one must not use up the link). A passkey signs in without the
 * password, so one added by whoever got into the account would outlive the
 * reset: the account's passkeys are listed, and go with the reset unless the
 * person unticks the box.
 */
export function ResetPasswordForm({ token, passkeys }: { token: string; passkeys: PasskeySummary[] }) {
  /** Once the password is changed: whether the passkeys listed went with it. */
  const [done, setDone] = useState<{ passkeysRemoved: boolean } | null>(null);
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const given = readNewPasswordForm(new FormData(event.currentTarget), passkeys);
    if ("problem" in given) return setError(given.problem);
    const { newPassword, keptPasskeys } = given;
    setPending(true);
    setError(null);
    // `keptPasskeys` is ours, read by the server's hook before the reset (lib/auth-hooks.ts).
    const { error: failure } = await authClient.resetPassword({
      newPassword,
      token,
      ...({ keptPasskeys } as Record<string, unknown>),
    });
    setPending(false);
    if (failure) {
      setError(
        isUnreachable(failure)
          ? CANNOT_REACH_SERVER
          : failure.code === "INVALID_TOKEN"
            ? RESET_LINK_USED_TEXT
            : failure.status === 429
              ? TOO_MANY_ATTEMPTS
              : (failure.message ?? "Could not change the password. Try again."),
      );
      return;
    }
    setDone({ passkeysRemoved: passkeys.length > 0 && keptPasskeys.length === 0 });
    void tellTabsIfSignedOut();
  }

  if (done) {
    const passkeysLeft = passkeys.length > 0 && !done.passkeysRemoved;
    return (
      <NarrowPage title="Password changed">
        <FocusedOutcome>
          <SuccessMessage>
            Your password has been changed and every device was signed out.
            {done.passkeysRemoved && " The passkeys were removed."}
            {passkeysLeft && " The account's passkeys still sign in."}
          </SuccessMessage>
        </FocusedOutcome>
        <NarrowPageLink href="/sign-in">Sign in with the new password</NarrowPageLink>
      </NarrowPage>
    );
  }
  return (
    <NarrowPage title="Choose a new password">
      <form onSubmit={onSubmit} className="space-y-4">
        <FormProblem outcome={error}>
          <NewPasswordFields passkeys={passkeys} />
          <FormOutcome />
          <BusyButton type="submit" busy={pending} disabled={!hydrated} className={`w-full ${primaryButton}`}>
            {pending ? "Please wait…" : "Change password"}
          </BusyButton>
        </FormProblem>
      </form>
      <NarrowPageLink href="/forgot-password">Ask for a new link</NarrowPageLink>
    </NarrowPage>
  );
}
