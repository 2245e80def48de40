"use client";
import { useEffect, useRef, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { OutcomeMessage } from "@/components/messages";
import { secondaryButton } from "@/components/styles";
import { useFormError } from "@/components/use-form-error";
import { authClient } from "@/lib/auth-client";
import {
  type AuthClientError,
  CANNOT_REACH_SERVER,
  DATABASE_UNAVAILABLE,
  DATABASE_UNAVAILABLE_TEXT,
  isUnreachable,
  NO_ANSWER_TEXT,
  SERVER_NO_ANSWER,
  TOO_MANY_ATTEMPTS,
} from "@/lib/auth-errors";
import { cancelledByNewerCeremony, PASSKEY_NOT_FOUND, passkeyCeremonyEndedWithoutResult } from "@/lib/passkey-errors";

function describeFailure(error: AuthClientError): string | null {
  if (passkeyCeremonyEndedWithoutResult(error.code)) return null;
  if (isUnreachable(error)) return CANNOT_REACH_SERVER;
  if (error.code === SERVER_NO_ANSWER) return NO_ANSWER_TEXT;
  if (error.code === DATABASE_UNAVAILABLE) return DATABASE_UNAVAILABLE_TEXT;
  if (error.status === 429) return TOO_MANY_ATTEMPTS;
  if (error.code === PASSKEY_NOT_FOUND) return "This passkey is no longer on your account. Sign in with your password.";
  return "That passkey did not work. Try again, or sign in with your password.";
}

/** The server could not answer a passkey's request: out of reach, its database down, or busy (429). */
function serverUnavailable(error: AuthClientError): boolean {
  return isUnreachable(error) || error.status === 429 || error.status >= 500;
}

/** The first wait before the autofill offer is made again when the server could not make it; it doubles up to a minute. */
const OFFER_AGAIN_AFTER_MS = 5_000;
const OFFER_AGAIN_AT_MOST_MS = 60_000;

/**
 * "Sign in with a passkey", and passkeys offered in the email field's
 * autofill (WebAuthn conditional mediation) where the browser supports it.
 * A passkey sign-in needs neither the password nor a second-factor code.
 * One ceremony runs at a time (a new one cancels the one before): the offer
 * waits while the button's runs, and is made again once it has ended.
 */
export function PasskeySignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useFormError();
  const [pending, setPending] = useState(false);
  const [signedIn, setSignedIn] = useState(false);
  const buttonPending = useRef(false);
  /** Makes the autofill offer afresh (set by the effect below, where the browser can make one). */
  const offerAgainNow = useRef(() => {});

  useEffect(() => {
    let active = true;
    let offerAgain: ReturnType<typeof setTimeout> | undefined;
    const offer = async (wait: number) => {
      if (!active || buttonPending.current) return;
      let passkeyPicked = false;
      const result = await authClient.signIn.passkey({
        autoFill: true,
        fetchOptions: {
          // (Better Auth applies these to the check of the passkey picked, not to the options before.)
          onRequest: (request) => {
            if (String(request.url).includes("/passkey/verify-authentication")) passkeyPicked = true;
          },
        },
      });
      if (!active) return;
      if (!result?.error) {
        setSignedIn(true); // busy until the next page replaces this one, as after the button
        return onSignedIn();
      }
      const failure = result.error;
      const unavailable = serverUnavailable(failure);
      // A failure before anyone picked a passkey is nobody's to hear when the server could not make the
      // offer (the form says it when used), nor while the button's ceremony runs (it cancelled this one).
      // (An end without a result says nothing, and leaves what the button said.)
      const said = describeFailure(failure);
      if (said && (passkeyPicked || (!unavailable && !buttonPending.current))) setError(said);
      // Made again once the server may be back; a ceremony that ended otherwise is not repeated.
      if (unavailable) offerAgain = setTimeout(() => offerSafely(Math.min(wait * 2, OFFER_AGAIN_AT_MOST_MS)), wait);
    };
    const offerSafely = (wait: number) => void offer(wait).catch(() => {});
    void (async () => {
      if (!(await window.PublicKeyCredential?.isConditionalMediationAvailable?.()) || !active) return;
      offerAgainNow.current = () => {
        clearTimeout(offerAgain);
        offerSafely(OFFER_AGAIN_AFTER_MS);
      };
      offerAgainNow.current();
    })().catch(() => {});
    return () => {
      active = false;
      clearTimeout(offerAgain);
      offerAgainNow.current = () => {};
    };
  }, [onSignedIn, setError]);

  async function signIn() {
    buttonPending.current = true;
    setPending(true);
    setError(null);
    let result = await authClient.signIn.passkey();
    // Cancelled by a newer ceremony: an offer whose options were already on their way when the button
    // was pressed. Asked again, the button's ceremony cancels that offer's.
    if (cancelledByNewerCeremony(result?.error)) result = await authClient.signIn.passkey();
    buttonPending.current = false;
    if (!result?.error) {
      setSignedIn(true); // busy until the next page replaces this one (a second press, a second session)
      return onSignedIn();
    }
    setPending(false);
    setError(describeFailure(result.error));
    offerAgainNow.current();
  }

  return (
    <div className="space-y-3">
      <BusyButton
        type="button"
        onClick={signIn}
        busy={pending || signedIn}
        className={`w-full ${secondaryButton} py-2`}
      >
        {signedIn ? "Signing in…" : pending ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </BusyButton>
      <OutcomeMessage outcome={error} />
    </div>
  );
}
