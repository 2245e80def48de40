"use client";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { ErrorMessage } from "@/components/messages";
import { PasswordField } from "@/components/password-field";
import { dangerButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { describeAuthError } from "@/lib/auth-errors";
import { announceSignedOut } from "@/lib/signed-out-channel";
import { useHydrated } from "@/lib/use-hydrated";
import { Section } from "./section";

/** Deletes the account and everything of it at once, after the password. */
export function DeleteAccountSection() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("delete-password") ?? "");
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.deleteUser({ password });
    setPending(false);
    if (failure) return setError(describeAuthError(failure));
    announceSignedOut();
    window.location.assign("/sign-up?deleted=1");
  }

  return (
    <Section id="delete" title="Delete account">
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Deleting your account removes it for good, with all your tasks, and signs out every device. This cannot be
        undone.
      </p>
      <form onSubmit={onSubmit} className="space-y-3">
        <PasswordField id="delete-password" label="Your password, to confirm" kind="current" />
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <BusyButton type="submit" busy={pending} disabled={!hydrated} className={dangerButton}>
          {pending ? "Deleting…" : "Delete my account and all my tasks"}
        </BusyButton>
      </form>
    </Section>
  );
}
