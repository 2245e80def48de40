"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormOutcome, FormProblem } from "@/components/form-problem";
import { PasswordField } from "@/components/password-field";
import { SecondFactorCodeField } from "@/components/second-factor-code-field";
import { secondaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { type AuthClientError, describeAuthError, ENTER_A_CODE, TWO_FACTOR_CODE_REQUIRED } from "@/lib/auth-errors";
import { isPasswordLength, PASSWORD_LENGTH_TEXT, PASSWORDS_DIFFER } from "@/lib/password-rules";
import { secondFactorCode } from "@/lib/second-factor-rules";
import { useHydrated } from "@/lib/use-hydrated";
import { Section } from "./section";

/**
 * Change of password: the current one is required (and, with two-factor sign-in on, a code); other
 * devices can be signed out at once.
 */
export function PasswordSection({ twoFactorEnabled }: { twoFactorEnabled: boolean }) {
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
    if (!isPasswordLength(newPassword)) return setOutcome({ ok: false, text: PASSWORD_LENGTH_TEXT });
    // Typed twice: a typo in a hidden field would otherwise lock the person out until a reset by email.
    if (newPassword !== String(form.get("repeat-new-password") ?? "")) {
      return setOutcome({ ok: false, text: PASSWORDS_DIFFER });
    }
    const code = twoFactorEnabled ? secondFactorCode(String(form.get("password-code") ?? "")) : undefined;
    if (code === null) return setOutcome({ ok: false, text: ENTER_A_CODE });
    setPending(true);
    setOutcome(null); // not "Password changed." from before while this one is on its way
    // The code goes with it (the server asks for it, second-factor-checks.ts), though Better Auth's own form has none.
    const { error } = await authClient.$fetch<unknown>("/change-password", {
      method: "POST",
      body: { currentPassword, newPassword, revokeOtherSessions, ...(code === undefined ? {} : { code }) },
    });
    setPending(false);
    // Two-factor sign-in turned on since this page was drawn (another tab): drawn again, with the code's field.
    if ((error as AuthClientError | null)?.code === TWO_FACTOR_CODE_REQUIRED && !twoFactorEnabled) router.refresh();
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
        <FormProblem outcome={outcome}>
          <PasswordField id="current-password" label="Current password" kind="current" />
          <PasswordField id="new-password" label="New password" kind="new" />
          <PasswordField id="repeat-new-password" label="Repeat the new password" kind="repeat" />
          {twoFactorEnabled && <SecondFactorCodeField id="password-code" label="A code, to change the password" />}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="sign-out-others" defaultChecked className="size-4" />
            Sign out my other devices
          </label>
          <FormOutcome />
          <BusyButton type="submit" busy={pending} disabled={!hydrated} className={secondaryButton}>
            {pending ? "Changing…" : "Change password"}
          </BusyButton>
        </FormProblem>
      </form>
    </Section>
  );
}
