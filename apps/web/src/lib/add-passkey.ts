"use client";
/**
 * Adds a passkey to the signed-in person's account, with their password (and,
 * with two-factor sign-in on, a code).
 *
 * The passkey plugin's own `addPasskey` sends the password (our header) only
 * with its last request, after the browser has made the credential: a wrong
 * password would then leave a passkey on the device that the account never
 * took. Here the password goes with the first request too, and the server
 * (auth-hooks.ts) checks it there, before the device is asked for anything.
 */
import { startRegistration, WebAuthnError } from "@simplewebauthn/browser";
import { authClient } from "./auth-client";
import type { AuthClientError } from "./auth-errors";
import { headerText } from "./header-text";
import { PASSWORD_HEADER } from "./password-rules";
import { SECOND_FACTOR_HEADER } from "./second-factor-rules";

type RegistrationOptions = Parameters<typeof startRegistration>[0]["optionsJSON"];

/** Why a passkey was not added; `optionsMade`: after the server made its options, which took the code if one came. */
export type AddPasskeyError = AuthClientError & { optionsMade?: boolean };

/**
 * Null once the passkey is on the account; otherwise why not (the codes describePasskeyError knows).
 * `code`: the second factor's, which the options ask for with two-factor sign-in on.
 */
export async function addPasskeyWithPassword(
  name: string,
  password: string,
  code?: string,
): Promise<AddPasskeyError | null> {
  const headers = { [PASSWORD_HEADER]: headerText(password) };
  const options = await authClient.$fetch<RegistrationOptions>("/passkey/generate-register-options", {
    method: "GET",
    query: { name },
    headers: code === undefined ? headers : { ...headers, [SECOND_FACTOR_HEADER]: headerText(code) },
  });
  if (options.error || !options.data) return options.error ?? { status: 500 };
  const failure = await register(name, options.data, headers);
  return failure && { ...failure, optionsMade: true };
}

/** The device asked to make the passkey these options describe, and the account to keep it: null once it has. */
async function register(
  name: string,
  options: RegistrationOptions,
  headers: Record<string, string>,
): Promise<AuthClientError | null> {
  let credential: Awaited<ReturnType<typeof startRegistration>>;
  try {
    credential = await startRegistration({ optionsJSON: options });
  } catch (error) {
    return error instanceof WebAuthnError
      ? { status: 400, code: error.code, message: error.message }
      : { status: 500, code: "UNKNOWN_ERROR", message: error instanceof Error ? error.message : undefined };
  }
  // As the plugin's client sends it: the extensions' results are not part of what it verifies.
  const { clientExtensionResults: _results, ...response } = credential;
  const verified = await authClient.$fetch("/passkey/verify-registration", {
    method: "POST",
    body: { response, name },
    headers,
  });
  return verified.error ?? null;
}
