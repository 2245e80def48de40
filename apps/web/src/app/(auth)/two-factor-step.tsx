"use client";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormInput, FormOutcome, FormProblem } from "@/components/form-problem";
import { field, label, link, primaryButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import { authClient } from "@/lib/auth-client";
import {
  ACCOUNT_TEMPORARILY_LOCKED,
  type AuthClientError,
  authenticatorCode,
  BACKUP_CODE_NOT_RIGHT,
  backupCode,
  CANNOT_REACH_SERVER,
  CODE_ALREADY_USED,
  CODE_NOT_RIGHT,
  CODES_LOCKED_TEXT,
  DATABASE_UNAVAILABLE,
  DATABASE_UNAVAILABLE_TEXT,
  ENTER_A_BACKUP_CODE,
  ENTER_SIX_DIGITS,
  isUnreachable,
  NO_ANSWER_TEXT,
  SERVER_NO_ANSWER,
  TOO_MANY_ATTEMPTS,
  WAIT_FOR_NEXT_CODE,
} from "@/lib/auth-errors";

interface TwoFactorStepProps {
  /** After a good code: the session exists, the person goes on. */
  onSignedIn: () => void;
  /** Back to the password (the challenge ended: too slow, too many tries; or the person asked). */
  onRestart: (reason: string | null) => void;
}

/** What a refused code means, for a person; `restart` when only a new password sign-in can help. */
function describeCodeError(error: AuthClientError): { text: string; restart?: boolean } {
  switch (error.code) {
    case "INVALID_CODE":
      return { text: CODE_NOT_RIGHT };
    case CODE_ALREADY_USED:
      return { text: WAIT_FOR_NEXT_CODE };
    case "INVALID_BACKUP_CODE":
      return { text: BACKUP_CODE_NOT_RIGHT };
    case ACCOUNT_TEMPORARILY_LOCKED:
      return { text: CODES_LOCKED_TEXT };
    case "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE":
      return { text: "Too many wrong codes for this sign-in. Enter your password again.", restart: true };
    case "TOTP_NOT_ENABLED":
      return { text: "Two-factor sign-in was turned off meanwhile. Enter your password again.", restart: true };
    case "INVALID_TWO_FACTOR_COOKIE":
      return { text: "This sign-in has expired. Enter your password again.", restart: true };
  }
  if (isUnreachable(error)) return { text: CANNOT_REACH_SERVER };
  if (error.code === SERVER_NO_ANSWER) return { text: NO_ANSWER_TEXT };
  if (error.code === DATABASE_UNAVAILABLE) return { text: DATABASE_UNAVAILABLE_TEXT };
  if (error.status === 429) return { text: TOO_MANY_ATTEMPTS };
  if (error.status === 401) return { text: "This sign-in has expired. Enter your password again.", restart: true };
  return { text: "Something went wrong. Try again." };
}

/**
 * The sign-in page's second step, for accounts with two-factor sign-in on:
 * the 6-digit code of an authenticator app, or one of the backup codes. No
 * session exists until one is accepted.
 */
export function TwoFactorStep({ onSignedIn, onRestart }: TwoFactorStepProps) {
  const [backupCodeMode, setBackupCodeMode] = useState(false);
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  // The password form's button is gone: the field the person must fill next takes the focus.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again when the kind of code changes.
  useEffect(() => codeInput.current?.focus(), [backupCodeMode]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const typed = String(form.get("code") ?? "");
    const code = backupCodeMode ? backupCode(typed) : authenticatorCode(typed);
    if (!code) return setError(backupCodeMode ? ENTER_A_BACKUP_CODE : ENTER_SIX_DIGITS);
    setPending(true);
    setError(null);
    const { error: failure } = backupCodeMode
      ? await authClient.twoFactor.verifyBackupCode({ code })
      : await authClient.twoFactor.verifyTotp({ code });
    // Signed in: busy until the next page replaces this one (a second try would find the step used up).
    if (!failure) return onSignedIn();
    setPending(false);
    const { text, restart } = describeCodeError(failure);
    if (restart) return onRestart(text);
    setError(text);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-labelledby="two-factor-heading">
      <FormProblem outcome={error}>
        <h2 id="two-factor-heading" className="text-lg font-semibold">
          Two-factor sign-in
        </h2>
        <div className="space-y-1">
          <label htmlFor="code" className={label}>
            {backupCodeMode ? "Backup code" : "Authentication code"}
          </label>
          {/* A new element per kind, so the browser's autofill and keyboard fit what is asked. */}
          {backupCodeMode ? (
            <FormInput
              about="code"
              key="backup"
              ref={codeInput}
              id="code"
              name="code"
              autoComplete="off"
              // Codes are mixed case, checked exactly: a phone's capital first letter would refuse one.
              autoCapitalize="none"
              autoCorrect="off"
              spellCheck={false}
              required
              maxLength={40}
              className={`w-full ${field} font-mono`}
            />
          ) : (
            <FormInput
              about="code"
              key="totp"
              ref={codeInput}
              id="code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              // No pattern: a code pasted as apps show it (123-456) is read as its digits (authenticatorCode).
              required
              maxLength={7}
              aria-describedby="code-help"
              className={`w-full ${field} font-mono tracking-widest`}
            />
          )}
          {!backupCodeMode && (
            <p id="code-help" className="text-xs text-slate-600 dark:text-slate-400">
              The 6 digits your authenticator app shows for Tasks.
            </p>
          )}
        </div>
        <FormOutcome />
        <BusyButton type="submit" busy={pending} className={`w-full ${primaryButton}`}>
          {pending ? "Checking…" : "Verify"}
        </BusyButton>
        <div className="flex flex-wrap justify-between gap-2 text-sm">
          <button
            type="button"
            className={link}
            onClick={() => {
              setBackupCodeMode(!backupCodeMode);
              setError(null);
            }}
          >
            {backupCodeMode ? "Use a code from your authenticator app" : "Lost your phone? Use a backup code"}
          </button>
          <button type="button" className={link} onClick={() => onRestart(null)}>
            Start over
          </button>
        </div>
      </FormProblem>
    </form>
  );
}
