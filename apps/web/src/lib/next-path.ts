/** Where a page sends the person next: only this site's own paths. */
import { LANDING_MAX } from "./field-rules";

/** Set by proxy.ts on every request (whatever the client sent): the path and query it asked for. */
export const REQUEST_PATH_HEADER = "x-request-path";

/** Stands for this site's origin while a `next` is resolved; no request goes to it. */
export const OWN_ORIGIN = "http://tasks.invalid";

/**
 * Only paths of this site are followed after sign-in (no open redirect). The
 * value is resolved as a browser resolves it, then checked: browsers drop tabs
 * and newlines and read `\` as `/`, so a text check alone let `/<TAB>/evil.example`
 * through as `//evil.example`. What is followed is the resolved path.
 */
export function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value?.startsWith("/")) return "/tasks";
  const url = URL.canParse(value, OWN_ORIGIN) ? new URL(value, OWN_ORIGIN) : undefined;
  // Resolving drops dot segments: "/.//evil.example" becomes the path "//evil.example", which a
  // browser, given it as a Location, reads as another site again.
  if (url?.origin !== OWN_ORIGIN || /^\/[/\\]/.test(url.pathname)) return "/tasks";
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The sign-in and sign-up forms hand it to Better Auth as their callbackURL, and Better Auth
  // refuses any with a `\`, or an encoded `/` or `\` in the path: the sign-in itself would fail.
  if (path.includes("\\") || /%2f|%5c/i.test(url.pathname)) return "/tasks";
  // Nor one longer than a landing may be (field-rules.ts): the sign-in would be refused.
  if (path.length > LANDING_MAX) return "/tasks";
  return path;
}
