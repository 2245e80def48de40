"use client";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { ErrorMessage, NarrowPage, NarrowPageLink, SuccessMessage } from "@/components/messages";
import { PasswordField } from "@/components/password-field";
import { primaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { CANNOT_REACH_SERVER, isUnreachable, TOO_MANY_ATTEMPTS } from "@/lib/auth-errors";
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORDS_DIFFER } from "@/lib/password-rules";
import { useHydrated } from "@/lib/use-hydrated";

/** Where the emailed link lands: a new password, checked here before it is sent (a refused one must not use up the link). */
export function ResetPasswordForm({ token }: { token: string }) {
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(token ? null : "This link is incomplete.");
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("password") ?? "");
    if (newPassword.length < PASSWORD_MIN || newPassword.length > PASSWORD_MAX) {
      return setError(`The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long.`);
    }
    if (newPassword !== String(form.get("confirm") ?? "")) return setError(PASSWORDS_DIFFER);
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.resetPassword({ newPassword, token });
    setPending(false);
    if (failure) {
      setError(
        isUnreachable(failure)
          ? CANNOT_REACH_SERVER
          : failure.code === "INVALID_TOKEN"
            ? "This link has expired or has already been used. Ask for a new one."
            : failure.status === 429
              ? TOO_MANY_ATTEMPTS
              : (failure.message ?? "Could not change the password. Try again."),
      );
      return;
    }
    setDone(true);
  }

  if (done) {
    return (
      <NarrowPage title="Password changed">
        <SuccessMessage>Your password has been changed and every device was signed out.</SuccessMessage>
        <NarrowPageLink href="/sign-in">Sign in with the new password</NarrowPageLink>
      </NarrowPage>
    );
  }
  return (
    <NarrowPage title="Choose a new password">
      <form onSubmit={onSubmit} className="space-y-4">
        <PasswordField id="password" label="New password" kind="new" />
        <PasswordField id="confirm" label="Repeat the new password" kind="repeat" />
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <BusyButton type="submit" busy={pending} disabled={!token || !hydrated} className={`w-full ${primaryButton}`}>
          {pending ? "Please wait…" : "Change password"}
        </BusyButton>
      </form>
      <NarrowPageLink href="/forgot-password">Ask for a new link</NarrowPageLink>
    </NarrowPage>
  );
}
