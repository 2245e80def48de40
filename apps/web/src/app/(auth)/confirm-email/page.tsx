import { decodeJwt } from "jose";
import type { Metadata } from "next";
import { ErrorMessage, NarrowPage, NarrowPageLink } from "@/components/messages";
import { primaryButton } from "@/components/styles";

export const dynamic = "force-dynamic";

// The URL carries the link's token: no Referer may take it to another site.
export const metadata: Metadata = { referrer: "no-referrer" };

/**
 * Where an emailed confirmation link lands (a sign-up's, or a change of
 * address's): it changes nothing until "Confirm" is pressed, which sends the
 * token on to Better Auth's /verify-email, as the link itself did before.
 * Some mail services open every link in an email to check it; had the link
 * confirmed by itself, anyone could have had an address confirmed for an
 * account of theirs without its owner (sign up with it, or move their own
 * account there, and let the scanner open the link), and kept a way into it
 * (a passkey) once the owner took it over with a password reset.
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
  const { email, updateTo } = claimsOf(token);
  const isChange = typeof updateTo === "string";
  return (
    <NarrowPage title={isChange ? "Change your account's email address" : "Confirm your email address"}>
      <p className="mb-4 text-slate-700 dark:text-slate-300">
        {isChange
          ? `Your Tasks account's email address changes to ${updateTo} once you confirm.`
          : `Confirm that ${typeof email === "string" ? email : "this address"} is your email address for Tasks.`}
      </p>
      {/* A plain form (no script needed): Better Auth checks the token and sends the browser on. */}
      <form method="get" action="/api/auth/verify-email">
        <input type="hidden" name="token" value={token} />
        {typeof callbackURL === "string" && <input type="hidden" name="callbackURL" value={callbackURL} />}
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

/** What the link's token says, unchecked (Better Auth checks it when the button is pressed). */
function claimsOf(token: string): { email?: unknown; updateTo?: unknown } {
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}
