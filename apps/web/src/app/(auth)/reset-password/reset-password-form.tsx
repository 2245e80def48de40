"use client";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { ErrorMessage, NarrowPage, SuccessMessage } from "@/components/messages";
import { field, label, link, primaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/password-rules";

const inputClass = `w-full ${field}`;

/** Where the emailed link lands: a new password, checked here before it is sent (a refused one must not use up the link). */
export function ResetPasswordForm({ token }: { token: string }) {
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(token ? null : "This link is incomplete.");
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("password") ?? "");
    if (newPassword.length < PASSWORD_MIN || newPassword.length > PASSWORD_MAX) {
      return setError(`The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long.`);
    }
    if (newPassword !== String(form.get("confirm") ?? "")) return setError("The two passwords differ.");
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.resetPassword({ newPassword, token });
    setPending(false);
    if (failure) {
      setError(
        failure.code === "INVALID_TOKEN"
          ? "This link has expired or has already been used. Ask for a new one."
          : failure.status === 429
            ? "Too many attempts. Wait a minute and try again."
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
        <p className="mt-6 text-sm">
          <Link href="/sign-in" className={link}>
            Sign in with the new password
          </Link>
        </p>
      </NarrowPage>
    );
  }
  return (
    <NarrowPage title="Choose a new password">
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="space-y-1">
          <label htmlFor="password" className={label}>
            New password
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN}
            maxLength={PASSWORD_MAX}
            className={inputClass}
          />
          <p className="text-xs text-slate-600 dark:text-slate-400">
            {PASSWORD_MIN} to {PASSWORD_MAX} characters.
          </p>
        </div>
        <div className="space-y-1">
          <label htmlFor="confirm" className={label}>
            Repeat the new password
          </label>
          <input
            id="confirm"
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            className={inputClass}
          />
        </div>
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <button type="submit" disabled={pending || !token} className={`w-full ${primaryButton}`}>
          {pending ? "Please wait…" : "Change password"}
        </button>
      </form>
      <p className="mt-6 text-sm">
        <Link href="/forgot-password" className={link}>
          Ask for a new link
        </Link>
      </p>
    </NarrowPage>
  );
}
