/**
 * An emailed link (its page's "Confirm", which goes on to `/verify-email`) opened where nobody is signed in (nor
 * signed in by the link itself), as from a phone's mail app. Better Auth
 * does what the link asks and sends the browser to the link's landing page
 * (/tasks, /account), with `?error=` when it refused it. That page sends a
 * signed-out browser to sign in, and what the link did was lost: a change of address made that way left its owner
 * typing the old address at sign-in, told nothing. Such a browser now goes
 * to sign in directly, which says what the link did; the landing follows
 * the sign-in, and for a refused link says why.
 */

import { OWN_ORIGIN } from "./next-path";

/** What the sign-in page says of the link, by `?link=`. */
export const SIGN_IN_AFTER_LINK_TEXT = {
  "address-changed": "The link changed your account's email address: sign in with the new one.",
  "address-confirmed": "Your email address is confirmed. Sign in to go on.",
  refused: "The link you opened did not go through. If it is for your account, sign in to see why.",
  followed: "Sign in to see what the link you opened did.",
} as const;

export type LinkOutcome = keyof typeof SIGN_IN_AFTER_LINK_TEXT;

export function isLinkOutcome(value: unknown): value is LinkOutcome {
  return typeof value === "string" && Object.hasOwn(SIGN_IN_AFTER_LINK_TEXT, value);
}

/**
 * The sign-in page for a signed-out browser that a link would have sent to `landing` (an address
 * of this site): refused when the landing carries an error, else what the link's token (its
 * `claims`) was for. A confirmation has no `updateTo`; a change of address's link (`change-email-verification`)
 * has. Better Auth's other kinds with an address (its older one-step change, the old address's
 * approval) are not sent by this app: said neutrally, should one come.
 */
export function signInAfterLink(landing: string, claims: { updateTo?: unknown; requestType?: unknown }): string {
  const url = new URL(landing, OWN_ORIGIN);
  const outcome: LinkOutcome = url.searchParams.has("error")
    ? "refused"
    : claims.updateTo === undefined
      ? "address-confirmed"
      : claims.requestType === "change-email-verification"
        ? "address-changed"
        : "followed";
  return `/sign-in?next=${encodeURIComponent(`${url.pathname}${url.search}`)}&link=${outcome}`;
}

/**
 * `next` without a link's refusal (`?error=`): where a new account's own emailed links land, and
 * where the sign-in page's "Create an account" goes on to. A refusal said for another account's
 * link (a mistyped address's owner who then signs up) must not follow that person around.
 */
export function withoutLinkError(next: string): string {
  const url = new URL(next, OWN_ORIGIN);
  if (!url.searchParams.has("error")) return next;
  url.searchParams.delete("error");
  return `${url.pathname}${url.search}${url.hash}`;
}
