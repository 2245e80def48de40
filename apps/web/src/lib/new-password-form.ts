import type { PasskeySummary } from "./account-passkeys";
import { isPasswordLength, PASSWORD_LENGTH_TEXT, PASSWORDS_DIFFER } from "./password-rules";

/**
 * What a page that sets a new password without signing in (a reset's, an
 * undone second factor's) was given: the password typed twice (`password`,
 * `confirm`) and, where the account's passkeys are listed (`listed`), the
 * "Remove them too" box (components/passkeys-of-account.tsx); or what is
 * wrong with it, said before anything is sent (a refused one must not use up
 * the link).
 * `keptPasskeys`: the passkeys the person chose to keep, those listed with the
 * box unticked. The reset removes every other (lib/auth-hooks.ts): one added
 * while the page was open, by whoever else holds the password, too.
 */
export function readNewPasswordForm(
  form: FormData,
  listed: PasskeySummary[],
): { newPassword: string; keptPasskeys: string[] } | { problem: string } {
  const newPassword = String(form.get("password") ?? "");
  if (!isPasswordLength(newPassword)) return { problem: PASSWORD_LENGTH_TEXT };
  if (newPassword !== String(form.get("confirm") ?? "")) return { problem: PASSWORDS_DIFFER };
  const keptPasskeys = form.get("remove-passkeys") === "on" ? [] : listed.map((passkey) => passkey.id);
  return { newPassword, keptPasskeys };
}
