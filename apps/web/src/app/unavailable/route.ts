/**
 * Where a page that could not reach the database sends the person
 * (lib/unavailable.ts): 503 with Retry-After, so that a monitor or a proxy
 * sees the outage for what it is, and a short page that says so and links
 * back to what they asked for. A route, not a page: a page cannot answer 503.
 * Self-contained (no script, one inline style with this request's nonce),
 * since nothing of the app's may be working.
 */
import { safeNext } from "@/lib/next-path";
import { RETRY_AFTER_SECONDS } from "@/lib/unavailable";

export const dynamic = "force-dynamic";

export function GET(request: Request): Response {
  const back = safeNext(new URL(request.url).searchParams.get("next") ?? undefined);
  const nonce = request.headers.get("x-nonce") ?? "";
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Tasks is unavailable right now</title>
<style nonce="${escapeHtml(nonce)}">
body { font-family: system-ui, sans-serif; color: #0f172a; background: #fff; margin: 0; }
main { max-width: 32rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.5rem; }
a { color: #1d4ed8; font-weight: 600; }
@media (prefers-color-scheme: dark) { body { color: #e2e8f0; background: #020617; } a { color: #93c5fd; } }
</style>
</head>
<body>
<main>
<h1>Tasks is unavailable right now</h1>
<p>We cannot reach our database at the moment. What you saved before is kept; this is usually over within a few seconds.</p>
<p><a href="${escapeHtml(back)}">Try again</a></p>
</main>
</body>
</html>
`;
  return new Response(page, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": String(RETRY_AFTER_SECONDS),
    },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
