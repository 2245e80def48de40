import type { Metadata } from "next";
import { ErrorMessage, NarrowPage, NarrowPageLink } from "@/components/messages";
import { primaryButton } from "@/components/styles";
import { webConfig } from "@/lib/config";
import { unverifiedLinkClaims, verifiedLinkClaims } from "@/lib/link-token";
import { safeNext } from "@/lib/next-path";

export const dynamic = "force-dynamic";

// The URL carries the link's token: no Referer may take it to another site.
export const metadata: Metadata = { title: "Confirm your email address", referrer: "no-referrer" };

/**
 * Where an emailed confirmation link lands (a sign-up's, or a change of
 * address's): it changes nothing until "Confirm" is pressed, which sends the
 * token on to Better Auth's /verify-email, as the link itself did before.
 * Some mail services open every link in an email to check it; had the link
 * confirmed by itself, anyone could have had an address confirmed for an
 * account of theirs without its owner (sign up with it, or move their own
 * account there, and let the scanner open the link), and kept a way into it
 * (a passkey) once the owner took it over with a password reset. (A scanner
 * that presses buttons in the pages it opens is not stopped by this.)
 */
export default async function Page({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; callbackURL?: string | string[] }>;
}) {
  const { token, callbackURL } = await searchParams;
  if (typeof token !== "string" || token === "") {
    return (
      <NarrowPage title="Confirm your email address">
        <ErrorMessage>This link is incomplete. Open it again from the email, or ask for a new one.</ErrorMessage>
        <NarrowPageLink href="/sign-in">Go to sign in</NarrowPageLink>
      </NarrowPage>
    );
  }
  // Said only from a token this site signed: anyone can make one up that names any address. One
  // that is not (cut short, expired) still goes on to Better Auth, whose landing says why.
  const claims = await verifiedLinkClaims(token, webConfig().secret);
  const isChange = typeof (claims ?? unverifiedLinkClaims(token)).updateTo === "string";
  // Better Auth checks it too; a made-up one lands on this site rather than on a refusal.
  const landing = typeof callbackURL === "string" ? safeNext(callbackURL) : isChange ? "/account" : "/tasks";
  return (
    <NarrowPage title={isChange ? "Change an account's email address" : "Confirm your email address"}>
      <p className="mb-4 break-words text-slate-700 dark:text-slate-300">
        {typeof claims?.updateTo === "string"
          ? `The Tasks account of ${String(claims.email)} moves to ${claims.updateTo} once you confirm.`
          : typeof claims?.email === "string"
            ? `Confirm that ${claims.email} is your email address for Tasks.`
            : "Confirm the email address this link was sent to."}
      </p>
      {/* A plain form (no script needed): Better Auth checks the token and sends the browser on. */}
      <form method="get" action="/api/auth/verify-email">
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="callbackURL" value={landing} />
        <button type="submit" className={`w-full ${primaryButton}`}>
          Confirm
        </button>
      </form>
      <p className="mt-4 text-sm text-slate-600 dark:text-slate-400">
        If you did not ask for this, close this page: nothing changes without the button.
      </p>
    </NarrowPage>
  );
}
