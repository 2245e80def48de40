"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactNode, useRef, useState, useTransition } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormOutcome, FormProblem, LabelledInput } from "@/components/form-problem";
import { LocalDate } from "@/components/local-date";
import { SuccessMessage } from "@/components/messages";
import { PasswordField } from "@/components/password-field";
import { SecondFactorCodeField } from "@/components/second-factor-code-field";
import { dangerButton, field, secondaryButton } from "@/components/styles";
import { errorOf, useFormError } from "@/components/use-form-error";
import type { PasskeySummary } from "@/lib/account-passkeys";
import { type AddPasskeyError, addPasskeyWithPassword } from "@/lib/add-passkey";
import { authClient } from "@/lib/auth-client";
import { describeAuthError, ENTER_A_CODE, TWO_FACTOR_CODE_REQUIRED } from "@/lib/auth-errors";
import { headerText } from "@/lib/header-text";
import { PASSKEY_NAME_MAX, PASSKEY_NAME_REQUIRED_TEXT } from "@/lib/name-rules";
import { PASSKEY_NOT_FOUND, passkeyCeremonyEndedWithoutResult } from "@/lib/passkey-errors";
import { PASSWORD_HEADER } from "@/lib/password-rules";
import { secondFactorCode } from "@/lib/second-factor-rules";
import { ago } from "@/lib/time-ago";
import { useHydrated } from "@/lib/use-hydrated";
import { ConfirmEmailFirst } from "./confirm-email-first";
import { Section } from "./section";

/** What a failed WebAuthn ceremony means, for a person (cancelling is not an error worth alarm). */
function describePasskeyError(error: AddPasskeyError): string {
  if (passkeyCeremonyEndedWithoutResult(error.code))
    return "No passkey was added (the browser's window was closed, or this device has none to offer).";
  if (error.code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED")
    return "This device already holds a passkey for your account.";
  return describeAuthError(error);
}

/** The forms a passkey's row opens; each button's id is `<form>-passkey-<id>`. */
type PasskeyForm = "rename" | "remove";

/** A passkey's form, as the errors name it. */
const formKey = (id: string, form: PasskeyForm) => `${form}-${id}`;

/** Passkeys: sign in with this device's screen lock or a security key, no password and no code. */
export function PasskeysSection({
  passkeys,
  emailVerified,
  twoFactorEnabled,
}: {
  passkeys: PasskeySummary[];
  emailVerified: boolean;
  /** A passkey signs in without a code: with two-factor sign-in on, adding one asks for a code too. */
  twoFactorEnabled: boolean;
}) {
  const router = useRouter();
  const [error, setError] = useFormError();
  /** What was last done here ("Added the passkey Laptop."), said once the list shows it. */
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  /** The one form open under a passkey: its new name's, or its removal's (the password asked for). */
  const [openForm, setOpenForm] = useState<{ id: string; form: PasskeyForm } | null>(null);
  const isOpen = (id: string, form: PasskeyForm) => openForm?.id === id && openForm.form === form;
  /** Opens the passkey's form, or closes it when it is the one open. */
  const toggleForm = (id: string, form: PasskeyForm) => {
    setError(null);
    setOpenForm(isOpen(id, form) ? null : { id, form });
  };
  /** Closes the open form, which goes with the focus it had: back to the button that opened it. */
  const closeForm = () => {
    setError(null);
    if (openForm) document.getElementById(`${openForm.form}-passkey-${openForm.id}`)?.focus();
    setOpenForm(null);
  };
  const [refreshing, startRefresh] = useTransition();
  const busy = pending !== null || refreshing;
  const hydrated = useHydrated();
  /**
   * A passkey's form (its field and button, then Cancel), whose failure is said in it (not under "Add
   * a passkey", at the section's end) and marks the field it is about.
   */
  const rowForm = (passkey: PasskeySummary, form: PasskeyForm, children: ReactNode) => (
    <FormProblem outcome={errorOf(error, formKey(passkey.id, form))}>
      <form
        onSubmit={(event) => (form === "rename" ? rename(event, passkey) : remove(event, passkey))}
        className="flex w-full flex-wrap items-end gap-2"
      >
        {children}
        <BusyButton type="button" onClick={closeForm} busy={busy} className={secondaryButton}>
          Cancel
        </BusyButton>
        <div className="w-full empty:hidden">
          <FormOutcome />
        </div>
      </form>
    </FormProblem>
  );

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const data = new FormData(formElement);
    const name = String(data.get("passkey-name") ?? "").trim() || "Passkey";
    const password = String(data.get("passkey-password") ?? "");
    const code = twoFactorEnabled ? secondFactorCode(String(data.get("passkey-code") ?? "")) : undefined;
    if (code === null) return setError(ENTER_A_CODE);
    setPending("add");
    setError(null);
    setDone(null);
    const failure = await addPasskeyWithPassword(name, password, code).catch(
      (error: unknown): AddPasskeyError => ({
        status: 500,
        message: error instanceof Error ? error.message : undefined,
      }),
    );
    setPending(null);
    // Two-factor sign-in turned on since this page was drawn (another tab): drawn again, with the code's field.
    if (failure?.code === TWO_FACTOR_CODE_REQUIRED && !twoFactorEnabled) router.refresh();
    // A code is taken once, passkey or not: typed again it would be refused (and count as a wrong one).
    const codeUsed = failure?.optionsMade === true && code !== undefined;
    const codeField = formElement.elements.namedItem("passkey-code");
    if (codeUsed && codeField instanceof HTMLInputElement) codeField.value = "";
    if (failure) {
      const used = codeUsed ? " The code you typed has been used: type a new one to try again." : "";
      return setError(`${describePasskeyError(failure)}${used}`);
    }
    formElement.reset();
    setDone(`Added the passkey ${name}.`);
    startRefresh(() => router.refresh());
  }

  /**
   * The passkey was removed meanwhile (another tab or device): its row, drawn before, goes, rather
   * than a form refused the same way at every try until a reload.
   */
  function removedElsewhere(passkey: PasskeySummary) {
    setOpenForm(null);
    setError(`The passkey ${passkey.name} had been removed already, in another tab or on another device.`);
    headingRef.current?.focus();
    startRefresh(() => router.refresh());
  }

  /** The passkey named, with the password typed in its confirmation (the server asks for it, auth-hooks.ts). */
  async function remove(event: FormEvent<HTMLFormElement>, passkey: PasskeySummary) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("remove-passkey-password") ?? "");
    setPending(passkey.id);
    setError(null);
    setDone(null);
    const { error: failure } = await authClient.passkey.deletePasskey(
      { id: passkey.id },
      { headers: { [PASSWORD_HEADER]: headerText(password) } },
    );
    setPending(null);
    if (failure?.code === PASSKEY_NOT_FOUND) return removedElsewhere(passkey);
    if (failure) return setError(describeAuthError(failure), formKey(passkey.id, "remove"));
    setOpenForm(null);
    setDone(`Removed the passkey ${passkey.name}.`);
    // Its form goes with its row: the focus to the section's heading, not to the top of the page.
    headingRef.current?.focus();
    // The list is drawn again from the server; its buttons stay busy until it is.
    startRefresh(() => router.refresh());
  }

  /** A new name for the passkey (no password: a name opens nothing); the focus back on its "Rename". */
  async function rename(event: FormEvent<HTMLFormElement>, passkey: PasskeySummary) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("rename-passkey-name") ?? "").trim();
    if (!name) return setError(PASSKEY_NAME_REQUIRED_TEXT, formKey(passkey.id, "rename"));
    setPending(passkey.id);
    setError(null);
    setDone(null);
    const { error: failure } = await authClient.passkey.updatePasskey({ id: passkey.id, name });
    setPending(null);
    if (failure?.code === PASSKEY_NOT_FOUND) return removedElsewhere(passkey);
    if (failure) return setError(describeAuthError(failure), formKey(passkey.id, "rename"));
    closeForm();
    setDone(`Renamed the passkey to ${name}.`);
    startRefresh(() => router.refresh());
  }

  return (
    <Section id="passkeys" title="Passkeys" headingRef={headingRef}>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        A passkey signs you in with this device's fingerprint, face or screen lock (or a security key): no password to
        type or steal, and no code needed.
      </p>
      {passkeys.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">You have no passkeys yet.</p>
      ) : (
        <ul aria-label="Your passkeys" className="divide-y divide-slate-200 dark:divide-slate-800">
          {passkeys.map((passkey) => (
            <li key={passkey.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div className="min-w-0">
                <p className="font-medium [overflow-wrap:anywhere]">{passkey.name}</p>
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  Added <LocalDate iso={passkey.addedAt} /> · {passkey.lastUsedAt ? "last used " : "never used yet"}
                  {passkey.lastUsedAt && (
                    <time dateTime={passkey.lastUsedAt} suppressHydrationWarning>
                      {ago(passkey.lastUsedAt)}
                    </time>
                  )}
                </p>
              </div>
              <div className="flex gap-2">
                <BusyButton
                  id={`rename-passkey-${passkey.id}`}
                  type="button"
                  onClick={() => toggleForm(passkey.id, "rename")}
                  busy={busy}
                  aria-expanded={isOpen(passkey.id, "rename")}
                  aria-label={`Rename the passkey ${passkey.name}`}
                  className={secondaryButton}
                >
                  Rename
                </BusyButton>
                <BusyButton
                  id={`remove-passkey-${passkey.id}`}
                  type="button"
                  onClick={() => toggleForm(passkey.id, "remove")}
                  busy={busy}
                  aria-expanded={isOpen(passkey.id, "remove")}
                  aria-label={`Remove the passkey ${passkey.name}`}
                  className={secondaryButton}
                >
                  Remove
                </BusyButton>
              </div>
              {isOpen(passkey.id, "rename") &&
                rowForm(
                  passkey,
                  "rename",
                  <>
                    <LabelledInput
                      label={`New name for ${passkey.name}`}
                      about="name"
                      id="rename-passkey-name"
                      defaultValue={passkey.name}
                      required
                      maxLength={PASSKEY_NAME_MAX}
                      className={`w-56 ${field}`}
                    />
                    <BusyButton type="submit" busy={busy} className={secondaryButton}>
                      {pending === passkey.id ? "Saving…" : "Save the name"}
                    </BusyButton>
                  </>,
                )}
              {isOpen(passkey.id, "remove") &&
                rowForm(
                  passkey,
                  "remove",
                  <>
                    <div className="w-56">
                      <PasswordField
                        id="remove-passkey-password"
                        label={`Your password, to remove ${passkey.name}`}
                        kind="current"
                      />
                    </div>
                    <BusyButton type="submit" busy={busy} className={dangerButton}>
                      {pending === passkey.id ? "Removing…" : "Remove this passkey"}
                    </BusyButton>
                  </>,
                )}
            </li>
          ))}
        </ul>
      )}
      <FormProblem outcome={errorOf(error)}>
        {!emailVerified ? (
          <ConfirmEmailFirst what="a passkey" />
        ) : (
          <form onSubmit={add} className="flex flex-wrap items-end gap-2">
            <LabelledInput
              label="Name of the new passkey"
              about="name"
              id="passkey-name"
              placeholder="e.g. Laptop"
              maxLength={PASSKEY_NAME_MAX}
              className={`w-56 ${field}`}
            />
            <div className="w-56">
              <PasswordField id="passkey-password" label="Your password, to add a passkey" kind="current" />
            </div>
            {twoFactorEnabled && (
              <div className="w-56">
                <SecondFactorCodeField id="passkey-code" label="A code, to add a passkey" />
              </div>
            )}
            {/* Off until the page is live: before, Enter would send the form itself, password in the address. */}
            <BusyButton type="submit" busy={busy} disabled={!hydrated} className={secondaryButton}>
              {pending === "add" ? "Waiting for your device…" : "Add a passkey"}
            </BusyButton>
          </form>
        )}
        {done && <SuccessMessage>{done}</SuccessMessage>}
        <FormOutcome />
      </FormProblem>
    </Section>
  );
}
