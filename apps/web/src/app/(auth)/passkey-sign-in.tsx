"use client";
import { useEffect, useState } from "react";
import { ErrorMessage } from "@/components/messages";
import { secondaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { type AuthClientError, CANNOT_REACH_SERVER, isUnreachable, TOO_MANY_ATTEMPTS } from "@/lib/auth-errors";
import { passkeyCeremonyEndedWithoutResult } from "@/lib/passkey-errors";

function describeFailure(error: AuthClientError): string | null {
  if (passkeyCeremonyEndedWithoutResult(error.code)) return null;
  if (isUnreachable(error)) return CANNOT_REACH_SERVER;
  if (error.status === 429) return TOO_MANY_ATTEMPTS;
  if (error.code === "PASSKEY_NOT_FOUND")
    return "This passkey is no longer on your account. Sign in with your password.";
  return "That passkey did not work. Try again, or sign in with your password.";
}

/**
 * "Sign in with a passkey", and passkeys offered in the email field's
 * autofill (WebAuthn conditional mediation) where the browser supports it.
 * A passkey sign-in needs neither the password nor a second-factor code.
 */
export function PasskeySignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    let active = true;
    const offerInAutofill = async () => {
      if (!(await window.PublicKeyCredential?.isConditionalMediationAvailable?.())) return;
      const result = await authClient.signIn.passkey({ autoFill: true });
      if (!active) return;
      if (!result?.error) return onSignedIn();
      // Nobody asked for this one: a server out of reach is the sign-in form's to say, when used.
      if (!isUnreachable(result.error)) setError(describeFailure(result.error));
    };
    void offerInAutofill().catch(() => {});
    return () => {
      active = false;
    };
  }, [onSignedIn]);

  async function signIn() {
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
