import type { AuthClientError } from "./auth-errors";

/** Better Auth's passkey plugin: no passkey (of this account) has that id. */
export const PASSKEY_NOT_FOUND = "PASSKEY_NOT_FOUND";

/** A ceremony cancelled because the page started another (only one runs at a time). */
const CANCELLED_BY_NEWER_CEREMONY = "ERROR_CEREMONY_ABORTED";

export function cancelledByNewerCeremony(error: AuthClientError | null | undefined): boolean {
  return error?.code === CANCELLED_BY_NEWER_CEREMONY;
}

/**
 * The browser's answers that mean a WebAuthn ceremony ended without a
 * result: the person closed the dialog, a newer request replaced this one,
 * or the device had nothing to offer (or took too long). Nothing to alarm
 * anyone with; say what did not happen, or nothing.
 */
const ENDED_WITHOUT_RESULT = new Set([
  CANCELLED_BY_NEWER_CEREMONY,
  "AUTH_CANCELLED",
  "ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY",
]);

export function passkeyCeremonyEndedWithoutResult(code: string | undefined): boolean {
  return code !== undefined && ENDED_WITHOUT_RESULT.has(code);
}
