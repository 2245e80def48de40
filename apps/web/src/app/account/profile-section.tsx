"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormInput, FormOutcome, FormProblem } from "@/components/form-problem";
import { PasswordField } from "@/components/password-field";
import { SecondFactorCodeField } from "@/components/second-factor-code-field";
import { field, label, secondaryButton } from "@/components/styles";
import { ACTION_NO_ANSWER_TEXT, answerOfAction, NO_ANSWER } from "@/lib/answer-limit";
import { authClient } from "@/lib/auth-client";
import {
  type AuthClientError,
  DATABASE_UNAVAILABLE_TEXT,
  describeAuthError,
  ENTER_A_CODE,
  SESSION_ENDED_TEXT,
  TWO_FACTOR_CODE_REQUIRED,
} from "@/lib/auth-errors";
import { EMAIL_MAX } from "@/lib/email-rules";
import { NAME_MAX, NAME_REQUIRED_TEXT } from "@/lib/name-rules";
import { ownEntry } from "@/lib/own-entry";
import { secondFactorCode } from "@/lib/second-factor-rules";
import { useHydrated } from "@/lib/use-hydrated";
import { cancelChangeOfAddressOfSession } from "./actions";
import { Section } from "./section";

type Outcome = { ok: boolean; text: string } | null;
/** The section's forms and buttons that send something. */
type Action = "name" | "email" | "resend" | "cancel";

interface ProfileSectionProps {
  name: string;
  email: string;
  emailVerified: boolean;
  /** The address a change asked for is waiting to move the account to (its link not yet opened); null when none. */
  pendingAddress: string | null;
  /** Why a link from an email that led here did nothing, in words; null when none did. */
  linkProblem: string | null;
  /** With two-factor sign-in on, a change of address asks for a code too. */
  twoFactorEnabled: boolean;
}

/** Better Auth's refusals of a new confirmation link that say the page is out of date, in words. */
const ADDRESS_CHANGED_MEANWHILE: Record<string, string> = {
  EMAIL_ALREADY_VERIFIED: "Your address is confirmed already: there is nothing more to do.",
  EMAIL_MISMATCH: "Your address changed since this page was opened: it now shows the new one.",
};

/** Name; email, whether it is confirmed (with a new link on request), and a change of address (with its cancel). */
export function ProfileSection({
  name,
  email,
  emailVerified,
  pendingAddress,
  linkProblem,
  twoFactorEnabled,
}: ProfileSectionProps) {
  const router = useRouter();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [nameOutcome, setNameOutcome] = useState<Outcome>(null);
  const [emailOutcome, setEmailOutcome] = useState<Outcome>(linkProblem ? { ok: false, text: linkProblem } : null);
  const [busy, setBusy] = useState<ReadonlySet<Action>>(() => new Set());
  const hydrated = useHydrated();

  /** A form's request, its own button busy meanwhile: each form has its own, as two can be on their way at once. */
  async function whileBusy<T>(action: Action, request: () => Promise<T>): Promise<T> {
    setBusy((now) => new Set(now).add(action));
    try {
      return await request();
    } finally {
      setBusy((now) => new Set([...now].filter((other) => other !== action)));
    }
  }

  async function saveName(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newName = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (!newName) return setNameOutcome({ ok: false, text: NAME_REQUIRED_TEXT });
    setNameOutcome(null); // not the last outcome while this one is on its way
    const { error } = await whileBusy("name", () => authClient.updateUser({ name: newName }));
    setNameOutcome(error ? { ok: false, text: describeAuthError(error) } : { ok: true, text: "Name saved." });
    if (!error) router.refresh();
  }

  async function changeEmail(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const newEmail = String(data.get("new-email") ?? "").trim();
    const password = String(data.get("change-email-password") ?? "");
    const code = twoFactorEnabled ? secondFactorCode(String(data.get("change-email-code") ?? "")) : undefined;
    if (code === null) return setEmailOutcome({ ok: false, text: ENTER_A_CODE });
    setEmailOutcome(null);
    // The password (and the code) go with it: the server asks for them (auth-hooks.ts), though Better Auth's own form has neither.
    const { error } = await whileBusy("email", () =>
      authClient.$fetch<unknown>("/change-email", {
        method: "POST",
        body: { newEmail, callbackURL: "/account", password, ...(code === undefined ? {} : { code }) },
      }),
    );
    // Two-factor sign-in turned on since this page was drawn (another tab): drawn again, with the code's field.
    if ((error as AuthClientError | null)?.code === TWO_FACTOR_CODE_REQUIRED && !twoFactorEnabled) router.refresh();
    if (error) return setEmailOutcome({ ok: false, text: describeAuthError(error) });
    form.reset();
    setEmailOutcome({
      ok: true,
      text: `To finish, open the link we sent to ${newEmail}. Your address stays ${email} until then; we told it too.`,
    });
    router.refresh(); // the change now waits, with its cancel
  }

  async function cancelChange() {
    setEmailOutcome(null);
    const answer = await whileBusy("cancel", () => answerOfAction(cancelChangeOfAddressOfSession()));
    if (answer === NO_ANSWER) {
      return setEmailOutcome({
        ok: false,
        text: `Could not tell whether the change is cancelled. ${ACTION_NO_ANSWER_TEXT}`,
      });
    }
    if (!answer?.ok) {
      const text = !answer
        ? "Could not cancel the change. Try again."
        : answer.reason === "signed-out"
          ? SESSION_ENDED_TEXT
          : DATABASE_UNAVAILABLE_TEXT;
      return setEmailOutcome({ ok: false, text });
    }
    setEmailOutcome({
      ok: true,
      text: answer.cancelled
        ? `The change to ${answer.cancelled} is cancelled: its link no longer changes your address.`
        : "No change of address was waiting any more: it was made, cancelled or replaced meanwhile. The page now shows where it stands.",
    });
    // Its button goes with the change: the focus to the section's heading, not to the top of the page.
    headingRef.current?.focus();
    router.refresh();
  }

  async function resendVerification() {
    setEmailOutcome(null);
    const { error } = await whileBusy("resend", () =>
      authClient.sendVerificationEmail({ email, callbackURL: "/account" }),
    );
    const changedMeanwhile = ownEntry(ADDRESS_CHANGED_MEANWHILE, error?.code);
    if (changedMeanwhile) {
      // Confirmed (or changed) in another tab or on another device since this page was drawn: no
      // error, and the page is drawn again to say where the address stands. Its button goes with
      // the refresh: the focus to the section's heading, not to the top of the page.
      setEmailOutcome({ ok: true, text: changedMeanwhile });
      headingRef.current?.focus();
      return router.refresh();
    }
    setEmailOutcome(
      error ? { ok: false, text: describeAuthError(error) } : { ok: true, text: `We sent a new link to ${email}.` },
    );
  }

  return (
    <Section id="profile" title="Profile" headingRef={headingRef}>
      <form onSubmit={saveName} className="space-y-2">
        <FormProblem outcome={nameOutcome}>
          <label htmlFor="name" className={label}>
            Name
          </label>
          <div className="flex flex-wrap gap-2">
            <FormInput
              about="name"
              id="name"
              name="name"
              defaultValue={name}
              required
              maxLength={NAME_MAX}
              autoComplete="name"
              className={`${field} flex-1`}
            />
            <BusyButton type="submit" busy={busy.has("name")} disabled={!hydrated} className={secondaryButton}>
              {busy.has("name") ? "Saving…" : "Save name"}
            </BusyButton>
          </div>
          <FormOutcome />
        </FormProblem>
      </form>

      <div className="space-y-2">
        <p className="text-sm [overflow-wrap:anywhere]">
          <span className="font-medium">Email:</span> <span data-testid="account-email">{email}</span>{" "}
          {emailVerified ? (
            <span className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100">
              confirmed
            </span>
          ) : (
            <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">
              not confirmed yet
            </span>
          )}
        </p>
        {!emailVerified && (
          <BusyButton type="button" onClick={resendVerification} busy={busy.has("resend")} className={secondaryButton}>
            {busy.has("resend") ? "Sending…" : "Send a new confirmation link"}
          </BusyButton>
        )}
        {pendingAddress && (
          <div className="flex flex-wrap items-center justify-between gap-2 rounded-md bg-amber-50 px-3 py-2 dark:bg-amber-950">
            <p id="pending-address" className="min-w-0 text-sm [overflow-wrap:anywhere]" data-testid="pending-address">
              Waiting to change to <span className="font-medium">{pendingAddress}</span>: the address changes when the
              link we sent there is opened, within an hour of asking.
            </p>
            <BusyButton
              type="button"
              onClick={cancelChange}
              busy={busy.has("cancel") || busy.has("email")}
              aria-describedby="pending-address"
              className={secondaryButton}
            >
              {busy.has("cancel") ? "Cancelling…" : "Cancel the change"}
            </BusyButton>
          </div>
        )}
      </div>

      <form onSubmit={changeEmail} className="space-y-2">
        <FormProblem outcome={emailOutcome}>
          <label htmlFor="new-email" className={label}>
            New email address
          </label>
          <div className="flex flex-wrap gap-2">
            <FormInput
              about="email"
              id="new-email"
              name="new-email"
              type="email"
              maxLength={EMAIL_MAX}
              required
              autoComplete="email"
              className={`${field} flex-1`}
            />
          </div>
          <PasswordField id="change-email-password" label="Your password, to change the email" kind="current" />
          {twoFactorEnabled && <SecondFactorCodeField id="change-email-code" label="A code, to change the email" />}
          {/* Busy while a cancel is on its way too: the cancel ends whichever change is the latest. */}
          <BusyButton
            type="submit"
            busy={busy.has("email") || busy.has("cancel")}
            disabled={!hydrated}
            className={secondaryButton}
          >
            {busy.has("email") ? "Sending…" : "Change email"}
          </BusyButton>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            We send a link to the new address; the change happens when it is opened.
          </p>
          <FormOutcome />
        </FormProblem>
      </form>
    </Section>
  );
}
