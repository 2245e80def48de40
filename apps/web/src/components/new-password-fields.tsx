"use client";
import type { PasskeySummary } from "@/lib/account-passkeys";
import { PasskeysOfAccount } from "./passkeys-of-account";
import { PasswordField } from "./password-field";

/**
 * The fields of a page that sets a new password without signing in (a reset's, an undone second
 * factor's), as readNewPasswordForm (lib/new-password-form.ts) reads them: the password typed twice,
 * and the account's passkeys, if it has any, with "Remove them too".
 */
export function NewPasswordFields({ passkeys }: { passkeys: PasskeySummary[] }) {
  return (
    <>
      <PasswordField id="password" label="New password" kind="new" />
      <PasswordField id="confirm" label="Repeat the new password" kind="repeat" />
      {passkeys.length > 0 && <PasskeysOfAccount passkeys={passkeys} />}
    </>
  );
}
