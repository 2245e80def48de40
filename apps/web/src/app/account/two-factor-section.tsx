"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useRef, useState, useTransition } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormOutcome, FormProblem, LabelledInput } from "@/components/form-problem";
import { SuccessMessage } from "@/components/messages";
import { PasswordField } from "@/components/password-field";
import { QrCode } from "@/components/qr-code";
import { SecondFactorCodeField } from "@/components/second-factor-code-field";
import { errorBox, field, primaryButton, secondaryButton } from "@/components/styles";
import { errorOf, useFormError } from "@/components/use-form-error";
import { authClient } from "@/lib/auth-client";
import {
  type AuthClientError,
  authenticatorCode,
  describeAuthError,
  ENTER_A_CODE,
  ENTER_SIX_DIGITS,
  TOTP_ALREADY_ENABLED,
} from "@/lib/auth-errors";
import { secondFactorCode } from "@/lib/second-factor-rules";
import { useHydrated } from "@/lib/use-hydrated";
import { BackupCodes } from "./backup-codes";
import { ConfirmEmailFirst } from "./confirm-email-first";
import { Section } from "./section";

/**
 * Where the person is in turning the second factor on or off:
 * - `idle`: what the account has now (on or off), with its forms;
 * - `scan`: a secret was made (not active yet): QR code, the key as text, and the first code;
 * - `codes`: backup codes to save (after activating, or after asking for new ones).
 */
type Step = { kind: "idle" } | { kind: "scan"; uri: string; codes: string[] } | { kind: "codes"; codes: string[] };

/** The two forms shown side by side while it is on; each field's id starts with the form's. */
type TwoFactorForm = "backup-codes" | "two-factor-off";

/** The otpauth:// URI's secret, grouped in fours for people who type it into their app. */
function setupKey(uri: string): string {
  const secret = new URL(uri).searchParams.get("secret") ?? "";
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** Two-factor sign-in: authenticator codes after the password, and backup codes for a lost phone. */
export function TwoFactorSection({ enabled, emailVerified }: { enabled: boolean; emailVerified: boolean }) {
  const router = useRouter();
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const hydrated = useHydrated();
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  /** Turned off from here: said (the focus on the heading reads only the section's name). */
  const [turnedOff, setTurnedOff] = useState(false);
  /**
   * Turned on from here: shown as on until the page drawn again from the server says so (its props
   * said off until then, and "I have saved them" showed "Off" and the set-up form again).
   */
  const [turnedOn, setTurnedOn] = useState(false);
  useEffect(() => {
    if (enabled) setTurnedOn(false);
  }, [enabled]);
  const on = enabled || turnedOn;
  // Turned off: the section is drawn again from the server; its buttons stay busy until it is.
  const [refreshing, startRefresh] = useTransition();
  const busy = pending || refreshing;
  // Each step, and turning it off, takes the place of the form whose button was pressed, and that
  // button with the focus: the focus goes to the section's heading, where a screen reader reads the
  // new step from, rather than to the top of the page. Only after this section's own steps: the page
  // drawn again for another section (a code asked for by Delete account, the setting changed in
  // another tab) leaves the focus where the person is.
  const heading = useRef<HTMLHeadingElement>(null);
  const shown = `${step.kind}:${on}`;
  const lastShown = useRef(shown);
  const stepTaken = useRef(false);
  useEffect(() => {
    if (lastShown.current === shown) return;
    lastShown.current = shown;
    if (stepTaken.current) heading.current?.focus();
    stepTaken.current = false;
  }, [shown]);
  /** Moves to another step; the focus follows it. */
  const goTo = (next: Step) => {
    stepTaken.current = true;
    setStep(next);
  };
  /** Draws the section again from the server (whether it is on); the focus follows it. */
  const redraw = () => {
    stepTaken.current = true;
    startRefresh(() => router.refresh());
  };

  /**
   * One call with the pending flag and the error message handled alike for every form: its data, or
   * null. A failure is said under `form` when given (one of two forms side by side), else the section's.
   */
  async function run<T>(
    action: () => Promise<{ data: T | null; error: AuthClientError | null }>,
    form?: TwoFactorForm,
  ): Promise<T | null> {
    setPending(true);
    setError(null);
    setTurnedOff(false);
    const { data, error: failure } = await action();
    setPending(false);
    if (failure) setError(describeAuthError(failure), form);
    // Turned on meanwhile in another tab of this browser: the section shows it.
    if (failure?.code === TOTP_ALREADY_ENABLED && !enabled) redraw();
    return failure ? null : data;
  }

  const valueIn = (event: FormEvent<HTMLFormElement>, name: string) =>
    String(new FormData(event.currentTarget).get(name) ?? "");

  async function turnOn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = valueIn(event, "two-factor-password");
    const started = await run(() => authClient.twoFactor.enable({ password }));
    if (started?.method === "totp") goTo({ kind: "scan", uri: started.totpURI, codes: started.backupCodes });
  }

  async function activate(event: FormEvent<HTMLFormElement>, codes: string[]) {
    event.preventDefault();
    const code = authenticatorCode(valueIn(event, "first-code"));
    if (!code) return setError(ENTER_SIX_DIGITS);
    if (await run(() => authClient.twoFactor.verifyTotp({ code }))) {
      setTurnedOn(true);
      router.refresh(); // drawn again while the codes are read
      goTo({ kind: "codes", codes });
    }
  }

  /**
   * With it on, the two forms' password and code (`form`-password, `form`-code), for a body of
   * their own (the plugin's client has no field for the code); null, said, when the code is mistyped.
   */
  function passwordAndCode(event: FormEvent<HTMLFormElement>, form: TwoFactorForm) {
    const code = secondFactorCode(valueIn(event, `${form}-code`));
    if (code === null) setError(ENTER_A_CODE, form);
    return code === null ? null : { password: valueIn(event, `${form}-password`), code };
  }

  async function newBackupCodes(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = passwordAndCode(event, "backup-codes");
    if (!body) return;
    const generated = await run(
      () => authClient.$fetch<{ backupCodes: string[] }>("/two-factor/generate-backup-codes", { method: "POST", body }),
      "backup-codes",
    );
    if (generated) goTo({ kind: "codes", codes: generated.backupCodes });
  }

  async function turnOff(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = passwordAndCode(event, "two-factor-off");
    if (
      body &&
      (await run(() => authClient.$fetch("/two-factor/disable", { method: "POST", body }), "two-factor-off"))
    ) {
      setTurnedOff(true);
      setTurnedOn(false);
      redraw();
    }
  }

  function done() {
    setError(null); // a wrong first code said before Cancel is not the idle form's
    goTo({ kind: "idle" });
    router.refresh();
  }

  if (step.kind === "scan") {
    return (
      <Section id="two-factor" title="Two-factor sign-in" headingRef={heading}>
        <ol className="list-decimal space-y-4 pl-5 text-sm text-slate-700 dark:text-slate-300">
          <li className="space-y-2">
            <p>Scan this code with an authenticator app (such as Google Authenticator, 1Password or Aegis).</p>
            <QrCode value={step.uri} label="QR code for your authenticator app; the same key is written below" />
            <p>
              Or type this key into the app:{" "}
              <code className="font-mono text-slate-900 dark:text-slate-100">{setupKey(step.uri)}</code>
            </p>
          </li>
          <li>
            <form onSubmit={(event) => activate(event, step.codes)} className="space-y-3">
              <FormProblem outcome={errorOf(error)}>
                <LabelledInput
                  label="The 6-digit code the app shows"
                  about="code"
                  id="first-code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  required
                  maxLength={7}
                  className={`w-40 ${field} font-mono tracking-widest`}
                />
                <FormOutcome />
                <div className="flex flex-wrap gap-2">
                  <BusyButton type="submit" busy={busy} className={primaryButton}>
                    {busy ? "Checking…" : "Turn on"}
                  </BusyButton>
                  <button type="button" onClick={done} className={secondaryButton}>
                    Cancel
                  </button>
                </div>
              </FormProblem>
            </form>
          </li>
        </ol>
      </Section>
    );
  }

  if (step.kind === "codes") {
    return (
      <Section id="two-factor" title="Two-factor sign-in" headingRef={heading}>
        <BackupCodes codes={step.codes} />
        <button type="button" onClick={done} className={primaryButton}>
          I have saved them
        </button>
      </Section>
    );
  }

  return (
    <Section id="two-factor" title="Two-factor sign-in" headingRef={heading}>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        {on
          ? "On. Signing in with your password also asks for a code from your authenticator app (or a backup code)."
          : "Off. Turn it on and signing in with your password will also ask for a code from an app on your phone, so a stolen password alone cannot open your account. Your other devices will be signed out."}
      </p>
      {on ? (
        // Two forms, so that Enter in one password field does only what its own button says.
        <div className="grid gap-6 sm:grid-cols-2">
          <form onSubmit={newBackupCodes} className="space-y-3">
            <FormProblem outcome={errorOf(error, "backup-codes")}>
              <PasswordField id="backup-codes-password" label="Your password, for new backup codes" kind="current" />
              <SecondFactorCodeField id="backup-codes-code" label="A code, for new backup codes" />
              <BusyButton type="submit" busy={busy} disabled={!hydrated} className={secondaryButton}>
                New backup codes
              </BusyButton>
              <p className="text-xs text-slate-600 dark:text-slate-400">They replace the old ones.</p>
              <FormOutcome />
            </FormProblem>
          </form>
          <form onSubmit={turnOff} className="space-y-3">
            <FormProblem outcome={errorOf(error, "two-factor-off")}>
              <PasswordField id="two-factor-off-password" label="Your password, to turn it off" kind="current" />
              <SecondFactorCodeField id="two-factor-off-code" label="A code, to turn it off" />
              <BusyButton type="submit" busy={busy} disabled={!hydrated} className={secondaryButton}>
                Turn off two-factor sign-in
              </BusyButton>
              <p className="text-xs text-slate-600 dark:text-slate-400">This signs your other devices out.</p>
              <FormOutcome />
            </FormProblem>
          </form>
        </div>
      ) : !emailVerified ? (
        <ConfirmEmailFirst what="two-factor sign-in" />
      ) : (
        <form onSubmit={turnOn} className="space-y-3">
          <FormProblem outcome={errorOf(error)}>
            <PasswordField id="two-factor-password" label="Your password" kind="current" />
            <FormOutcome />
            <BusyButton type="submit" busy={busy} disabled={!hydrated} className={secondaryButton}>
              {busy ? "Please wait…" : "Set up two-factor sign-in"}
            </BusyButton>
          </FormProblem>
        </form>
      )}
      {turnedOff && !on && (
        <SuccessMessage>Two-factor sign-in is off. Your other devices were signed out.</SuccessMessage>
      )}
      {/*
        The set-up form says its own failure, above. With the section drawn again without that form
        (turned on in another tab meanwhile), its failure stays in view here but is not said again:
        no alert, which a screen reader would read a second time.
      */}
      {(on || !emailVerified) && error && !error.form && <p className={errorBox}>{error.text}</p>}
    </Section>
  );
}
