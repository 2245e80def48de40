/**
 * An emailed link (`/verify-email`) opened where nobody is signed in, as
 * from a phone's mail app. Better Auth does what the link asks and sends the
 * browser to the link's landing page (/tasks, /account), with `?error=` when
 * it refused it. That page sends a signed-out browser to sign in, and what
 * the link did was lost: a change of address made that way left its owner
 * typing the old address at sign-in, told nothing. Such a browser now goes
 * to sign in directly, which says what the link did; the landing, with its
 * error, follows the sign-in.
 */

/** What the sign-in page says of the link, by `?link=`. */
export const SIGN_IN_AFTER_LINK_TEXT = {
  "address-changed": "The link changed your account's email address: sign in with the new one.",
  "address-confirmed": "Your email address is confirmed. Sign in to go on.",
  refused: "The link you opened did not go through. Sign in to see why.",
} as const;

export type LinkOutcome = keyof typeof SIGN_IN_AFTER_LINK_TEXT;

export function isLinkOutcome(value: unknown): value is LinkOutcome {
  return typeof value === "string" && Object.hasOwn(SIGN_IN_AFTER_LINK_TEXT, value);
}

/**
 * The sign-in page for a signed-out browser that a link would have sent to `landing` (an address
 * of this site): refused when the landing carries an error, else what the link was for
 * (`requestType` of its token: a change of address's, or a confirmation's).
 */
export function signInAfterLink(landing: string, requestType: unknown): string {
  const url = new URL(landing, "http://tasks.invalid");
  const outcome: LinkOutcome = url.searchParams.has("error")
    ? "refused"
    : requestType === "change-email-verification"
      ? "address-changed"
      : "address-confirmed";
  return `/sign-in?next=${encodeURIComponent(`${url.pathname}${url.search}`)}&link=${outcome}`;
}
