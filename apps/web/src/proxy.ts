/**
 * Runs before every page and API route: a fresh nonce and a strict
 * Content-Security-Policy for each request, plus the other security headers.
 *
 * The access token lives in the page's memory, so script injection is the
 * attack that matters most: scripts run only if they carry this request's
 * nonce (Next.js puts it on its own scripts: it reads the policy from the
 * request headers set here) or are loaded by one that does ('strict-dynamic').
 * A nonce must differ per response, so every page is rendered per request
 * (the root layout reads the headers); no page is served prerendered.
 */
import { type NextRequest, NextResponse } from "next/server";
import { webConfig } from "@/lib/config";
import { REQUEST_PATH_HEADER } from "@/lib/next-path";

/** What the configuration fixes for every response, worked out once. */
let site: { apiOrigin: string; https: boolean; headers: Record<string, string> } | undefined;
function siteSettings() {
  if (!site) {
    const { apiUrl, baseUrl } = webConfig();
    const https = baseUrl.startsWith("https://");
    site = { apiOrigin: new URL(apiUrl).origin, https, headers: securityHeaders(https) };
  }
  return site;
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const { apiOrigin, https, headers } = siteSettings();
  const policy = contentSecurityPolicy(nonce, apiOrigin, https);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  // Where a page that cannot reach the database offers to go back to (lib/unavailable.ts).
  requestHeaders.set(REQUEST_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function contentSecurityPolicy(nonce: string, apiOrigin: string, https: boolean): string {
  // Next.js's development server evaluates code it sends (React's debugging); a production build never does.
  const evalInDevelopment = process.env.NODE_ENV === "production" ? "" : " 'unsafe-eval'";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${evalInDevelopment}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // Style *attributes* cannot carry a nonce, and Radix (the tabs, the notices) positions with
    // them. They cannot run script, so allowing them costs little next to the rest of the policy.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // The page talks to its own origin (Better Auth) and to the Task API, nothing else.
    `connect-src 'self' ${apiOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

function securityHeaders(https: boolean): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    // Pages whose URL carries a token (the reset link, a confirmation link's page) say no-referrer themselves.
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
    // For browsers without CSP frame-ancestors.
    "x-frame-options": "DENY",
    ...(https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

export const config = {
  // Not the build's static files nor its image endpoint (they carry no page, and need no nonce).
  // Whole paths: a prefix (`/_next/imagex`) would leave the not-found page drawn for it without the
  // CSP. (No favicon.ico: the icon is app/icon.svg, and a request for one is a page that is not there.)
  matcher: [{ source: "/((?!_next/static/|_next/image$).*)" }],
};
