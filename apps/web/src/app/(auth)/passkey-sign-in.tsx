"use client";
import { useEffect, useRef, useState } from "react";
import { ErrorMessage } from "@/components/messages";
import { secondaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import {
  type AuthClientError,
  CANNOT_REACH_SERVER,
  DATABASE_UNAVAILABLE,
  DATABASE_UNAVAILABLE_TEXT,
  isUnreachable,
  TOO_MANY_ATTEMPTS,
} from "@/lib/auth-errors";
import { passkeyCeremonyEndedWithoutResult } from "@/lib/passkey-errors";

function describeFailure(error: AuthClientError): string | null {
  if (passkeyCeremonyEndedWithoutResult(error.code)) return null;
  if (isUnreachable(error)) return CANNOT_REACH_SERVER;
  if (error.code === DATABASE_UNAVAILABLE) return DATABASE_UNAVAILABLE_TEXT;
  if (error.status === 429) return TOO_MANY_ATTEMPTS;
  if (error.code === "PASSKEY_NOT_FOUND")
    return "This passkey is no longer on your account. Sign in with your password.";
  return "That passkey did not work. Try again, or sign in with your password.";
}

/** The server could not give a passkey's options: out of reach, its database down, or busy (429). */
function serverCouldNotAsk(error: AuthClientError): boolean {
  return isUnreachable(error) || error.status === 429 || error.status >= 500;
}

/** The first wait before the autofill offer is made again when the server could not make it; it doubles up to a minute. */
const OFFER_AGAIN_AFTER_MS = 5_000;
const OFFER_AGAIN_AT_MOST_MS = 60_000;

/**
 * "Sign in with a passkey", and passkeys offered in the email field's
 * autofill (WebAuthn conditional mediation) where the browser supports it.
 * A passkey sign-in needs neither the password nor a second-factor code.
 */
export function PasskeySignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Once the person has used the button, the autofill offer is not made again: a new ceremony
  // would cancel the button's.
  const buttonUsed = useRef(false);

  useEffect(() => {
    let active = true;
    let offerAgain: ReturnType<typeof setTimeout> | undefined;
    const offerInAutofill = async (wait: number) => {
      let chosen = false; // the person picked a passkey, and it went to the server to be checked
      const result = await authClient.signIn.passkey({
        autoFill: true,
        fetchOptions: {
          onRequest: () => {
            chosen = true;
          },
        },
      });
      if (!active) return;
      if (!result?.error) return onSignedIn();
      if (buttonUsed.current) return;
      if (chosen || !serverCouldNotAsk(result.error)) return setError(describeFailure(result.error));
      // No offer could be made, and nobody asked for one: nothing is said (the form says it when
      // used), and the offer is made again once the server may be back.
      offerAgain = setTimeout(() => {
        if (!buttonUsed.current) void offerInAutofill(Math.min(wait * 2, OFFER_AGAIN_AT_MOST_MS)).catch(() => {});
      }, wait);
    };
    void (async () => {
      if (await window.PublicKeyCredential?.isConditionalMediationAvailable?.())
        await offerInAutofill(OFFER_AGAIN_AFTER_MS);
    })().catch(() => {});
    return () => {
      active = false;
      clearTimeout(offerAgain);
    };
  }, [onSignedIn]);

  async function signIn() {
    buttonUsed.current = true;
    setPending(true);
    setError(null);
    const result = await authClient.signIn.passkey();
    setPending(false);
    if (!result?.error) return onSignedIn();
    setError(describeFailure(result.error));
  }

  return (
    <div className="space-y-3">
      <button type="button" onClick={signIn} disabled={pending} className={`w-full ${secondaryButton} py-2`}>
        {pending ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </div>
  );
}
