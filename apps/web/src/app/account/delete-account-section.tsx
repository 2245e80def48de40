"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormOutcome, FormProblem } from "@/components/form-problem";
import { PasswordField } from "@/components/password-field";
import { SecondFactorCodeField } from "@/components/second-factor-code-field";
import { dangerButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import { authClient } from "@/lib/auth-client";
import { type AuthClientError, describeAuthError, ENTER_A_CODE, TWO_FACTOR_CODE_REQUIRED } from "@/lib/auth-errors";
import { secondFactorCode } from "@/lib/second-factor-rules";
import { announceSignedOut, DELETED_ACCOUNT_PAGE } from "@/lib/signed-out-channel";
import { useHydrated } from "@/lib/use-hydrated";
import { Section } from "./section";

/** Deletes the account and everything of it at once, after the password (and, with two-factor sign-in on, a code). */
export function DeleteAccountSection({ twoFactorEnabled }: { twoFactorEnabled: boolean }) {
  const router = useRouter();
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("delete-password") ?? "");
    const code = twoFactorEnabled ? secondFactorCode(String(form.get("delete-code") ?? "")) : undefined;
    if (code === null) return setError(ENTER_A_CODE);
    setPending(true);
    setError(null);
    // The code goes with it (the server asks for it, second-factor-checks.ts), though Better Auth's own form has none.
    const { error: failure } = await authClient.$fetch<unknown>("/delete-user", {
      method: "POST",
      body: { password, ...(code === undefined ? {} : { code }) },
    });
    if (failure) {
      setPending(false);
      // Two-factor sign-in turned on since this page was drawn (another tab): drawn again, with the code's field.
      if ((failure as AuthClientError).code === TWO_FACTOR_CODE_REQUIRED && !twoFactorEnabled) router.refresh();
      return setError(describeAuthError(failure));
    }
    // Deleted: busy until the next page replaces this one (pressed again, it would say the session ended).
    announceSignedOut("account-deleted");
    window.location.assign(DELETED_ACCOUNT_PAGE);
  }

  return (
    <Section id="delete" title="Delete account">
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Deleting your account removes it for good, with all your tasks, and signs out every device. This cannot be
        undone.
      </p>
      <form onSubmit={onSubmit} className="space-y-3">
        <FormProblem outcome={error}>
          <PasswordField id="delete-password" label="Your password, to confirm" kind="current" />
          {twoFactorEnabled && <SecondFactorCodeField id="delete-code" label="A code, to delete the account" />}
          <FormOutcome />
          <BusyButton type="submit" busy={pending} disabled={!hydrated} className={dangerButton}>
            {pending ? "Deleting…" : "Delete my account and all my tasks"}
          </BusyButton>
        </FormProblem>
      </form>
    </Section>
  );
}
