import { isPasswordLength, PASSWORD_LENGTH_TEXT, PASSWORDS_DIFFER } from "./password-rules";

/**
 * What a page that sets a new password without signing in (a reset's, an
 * undone second factor's) was given: the password typed twice (`password`,
 * `confirm`) and, where the account's passkeys are listed, the "Remove them
 * too" box (components/passkeys-of-account.tsx); or what is wrong with it,
 * said before anything is sent (a refused one must not use up the link).
 */
export function readNewPasswordForm(
  form: FormData,
  passkeysListed: boolean,
): { newPassword: string; removePasskeys: boolean } | { problem: string } {
  const newPassword = String(form.get("password") ?? "");
  if (!isPasswordLength(newPassword)) return { problem: PASSWORD_LENGTH_TEXT };
  if (newPassword !== String(form.get("confirm") ?? "")) return { problem: PASSWORDS_DIFFER };
  return { newPassword, removePasskeys: passkeysListed && form.get("remove-passkeys") === "on" };
}
