"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { EmailField } from "@/components/email-field";
import { FocusedOutcome } from "@/components/focused-outcome";
import { FormInput, FormOutcome, FormProblem, LabelledInput } from "@/components/form-problem";
import { NarrowPage, NarrowPageLink, NoticeMessage } from "@/components/messages";
import { field, label, link, primaryButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import { authClient } from "@/lib/auth-client";
import { describeAuthError, SIGN_IN_REFUSED_TEXT } from "@/lib/auth-errors";
import { withoutLinkError } from "@/lib/link-landing";
import { NAME_MAX } from "@/lib/name-rules";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/password-rules";
import { useHydrated } from "@/lib/use-hydrated";
import { PasskeySignIn } from "./passkey-sign-in";
import { TwoFactorStep } from "./two-factor-step";

interface AuthFormProps {
  mode: "sign-in" | "sign-up";
  next: string;
  /** Said above the form, e.g. after the account was deleted. */
  notice?: string;
}

const inputClass = `w-full ${field}`;

export function AuthForm({ mode, next, notice }: AuthFormProps) {
  const router = useRouter();
  const [error, setError] = useFormError();
  /** Sign-up that starts no session (email verification required): the person is told to check their inbox. */
  const [checkInbox, setCheckInbox] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  /** The password was right and the account asks for a second factor: its step replaces the form. */
  const [secondStep, setSecondStep] = useState(false);
  /** Kept for the form's return from the second step. */
  const [typedEmail, setTypedEmail] = useState("");
  const signUp = mode === "sign-up";
  // Back from the second step ("Start over", or a sign-in that has to begin again), whose button had
  // the focus: to the password field, the one thing left to type (the email is kept), not the page's top.
  const passwordField = useRef<HTMLInputElement>(null);
  const wasSecondStep = useRef(false);
  useEffect(() => {
    if (wasSecondStep.current && !secondStep) passwordField.current?.focus();
    wasSecondStep.current = secondStep;
  }, [secondStep]);

  const continueToNext = useCallback(() => {
    router.replace(next);
    router.refresh();
  }, [router, next]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setTypedEmail(email);
    setPending(true);
    setError(null);
    // The emailed verification link brings the person back here; a sign-in also goes there at once.
    const callbackURL = signUp ? withoutLinkError(next) : next;
    const { data, error: failure } = signUp
      ? await authClient.signUp.email({ name: String(form.get("name") ?? "").trim(), email, password, callbackURL })
      : await authClient.signIn.email({ email, password, callbackURL });
    if (failure) {
      setPending(false);
      // A 401 here is a wrong email or password, not a session that ended: said in words that mark
      // both fields (form-problem.tsx).
      setError(
        failure.code === "EMAIL_NOT_VERIFIED"
          ? "Confirm your email address first: we have sent you a new link."
          : failure.code === "INVALID_EMAIL_OR_PASSWORD"
            ? SIGN_IN_REFUSED_TEXT
            : failure.status === 401
              ? (failure.message ?? "Something went wrong. Try again.")
              : describeAuthError(failure),
      );
      return;
    }
    if (signUp && data && !data.token) {
      setPending(false);
      return setCheckInbox(email);
    }
    if (data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
      setPending(false);
      return setSecondStep(true);
    }
    // Signed in: the button stays busy until the next page replaces this one (a second click would
    // start a second session). A sign-in with a callbackURL is taken there by Better Auth's client
    // itself, as a whole page load: going there in the router too would load the page twice.
    if (!(data && "redirect" in data && data.redirect)) continueToNext();
  }

  const otherNext = signUp ? next : withoutLinkError(next);
  const otherHref = `${signUp ? "/sign-in" : "/sign-up"}${otherNext !== "/tasks" ? `?next=${encodeURIComponent(otherNext)}` : ""}`;
  if (checkInbox) {
    return (
      <NarrowPage title="Check your email">
        <FocusedOutcome>
          {/* Read by the focus moved to it (not a live region too: it would be read twice). */}
          <p className="text-slate-700 [overflow-wrap:anywhere] dark:text-slate-300">
            If {checkInbox} can be used for a new account, we have sent a link to it. Open it to confirm the address,
            then you can sign in.
          </p>
        </FocusedOutcome>
        <NarrowPageLink href={otherHref}>Back to sign in</NarrowPageLink>
      </NarrowPage>
    );
  }
  if (secondStep) {
    return (
      <NarrowPage title="Sign in to Tasks">
        <TwoFactorStep
          onSignedIn={continueToNext}
          onRestart={(reason) => {
            setSecondStep(false);
            setError(reason);
          }}
        />
      </NarrowPage>
    );
  }
  return (
    <NarrowPage title={signUp ? "Create your account" : "Sign in to Tasks"}>
      {notice && (
        <div className="mb-4">
          <NoticeMessage>{notice}</NoticeMessage>
        </div>
      )}
      <form onSubmit={onSubmit} className="space-y-4" noValidate={false}>
        <FormProblem outcome={error}>
          {signUp && (
            <LabelledInput
              label="Name"
              about="name"
              id="name"
              autoComplete="name"
              required
              maxLength={NAME_MAX}
              className={inputClass}
            />
          )}
          <EmailField
            // "webauthn": the browser may offer passkeys here (see PasskeySignIn).
            autoComplete={signUp ? "email" : "email webauthn"}
            defaultValue={typedEmail}
          />
          <div className="space-y-1">
            <label htmlFor="password" className={label}>
              Password
            </label>
            <FormInput
              about={signUp ? "new" : "current"}
              ref={passwordField}
              id="password"
              name="password"
              type="password"
              autoComplete={signUp ? "new-password" : "current-password"}
              required
              minLength={PASSWORD_MIN}
              maxLength={PASSWORD_MAX}
              // The rules are read with the field, not only seen under it.
              aria-describedby={signUp ? "password-rules" : undefined}
              className={inputClass}
            />
            {signUp ? (
              <p id="password-rules" className="text-xs text-slate-600 dark:text-slate-400">
                {PASSWORD_MIN} to {PASSWORD_MAX} characters.
              </p>
            ) : (
              <p className="text-sm">
                <Link href="/forgot-password" className="text-indigo-700 underline dark:text-indigo-300">
                  Forgot password?
                </Link>
              </p>
            )}
          </div>
          <FormOutcome />
          <BusyButton type="submit" busy={pending} disabled={!hydrated} className={`w-full ${primaryButton}`}>
            {pending ? "Please wait…" : signUp ? "Sign up" : "Sign in"}
          </BusyButton>
        </FormProblem>
      </form>
      {!signUp && (
        <div className="mt-4">
          <PasskeySignIn onSignedIn={continueToNext} />
        </div>
      )}
      <p className="mt-6 text-sm text-slate-700 dark:text-slate-300">
        {signUp ? "Already have an account? " : "New here? "}
        <Link href={otherHref} className={link}>
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </NarrowPage>
  );
}
