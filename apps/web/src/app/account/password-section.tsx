"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { OutcomeMessage } from "@/components/messages";
import { PasswordField } from "@/components/password-field";
import { secondaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { describeAuthError } from "@/lib/auth-errors";
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORDS_DIFFER } from "@/lib/password-rules";
import { useHydrated } from "@/lib/use-hydrated";
import { Section } from "./section";

/** Change of password: the current one is required; other devices can be signed out at once. */
export function PasswordSection() {
  const router = useRouter();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const currentPassword = String(form.get("current-password") ?? "");
    const newPassword = String(form.get("new-password") ?? "");
    const revokeOtherSessions = form.get("sign-out-others") === "on";
    if (newPassword.length < PASSWORD_MIN || newPassword.length > PASSWORD_MAX) {
      return setOutcome({ ok: false, text: `The new password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.` });
    }
    // Typed twice: a typo in a hidden field would otherwise lock the person out until a reset by email.
    if (newPassword !== String(form.get("repeat-new-password") ?? "")) {
      return setOutcome({ ok: false, text: PASSWORDS_DIFFER });
    }
    setPending(true);
    setOutcome(null); // not "Password changed." from before while this one is on its way
    const { error } = await authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions });
    setPending(false);
    if (error) return setOutcome({ ok: false, text: describeAuthError(error) });
    formElement.reset();
    setOutcome({
      ok: true,
      text: revokeOtherSessions ? "Password changed. Your other devices are signed out." : "Password changed.",
    });
    // With "sign out others" this device got a new session too: the list changes.
    router.refresh();
  }

  return (
    <Section id="password" title="Password">
      <form onSubmit={onSubmit} className="space-y-3">
        <PasswordField id="current-password" label="Current password" kind="current" />
        <PasswordField id="new-password" label="New password" kind="new" />
        <PasswordField id="repeat-new-password" label="Repeat the new password" kind="repeat" />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="sign-out-others" defaultChecked className="size-4" />
          Sign out my other devices
        </label>
        <OutcomeMessage outcome={outcome} />
        <BusyButton type="submit" busy={pending} disabled={!hydrated} className={secondaryButton}>
          {pending ? "Changing…" : "Change password"}
        </BusyButton>
      </form>
    </Section>
  );
}
