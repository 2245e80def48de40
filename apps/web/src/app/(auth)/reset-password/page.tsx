import type { Metadata } from "next";
import { headers } from "next/headers";
import { ErrorMessage, NarrowPage, NarrowPageLink } from "@/components/messages";
import { listPasskeysOfUser } from "@/lib/account-passkeys";
import { RESET_LINK_USED_TEXT } from "@/lib/auth-errors";
import { accountOfResetLink } from "@/lib/reset-links";
import { readOrShowUnavailable } from "@/lib/unavailable";
import { ResetPasswordForm } from "./reset-password-form";

export const dynamic = "force-dynamic";

// The URL carries the reset token: no Referer may take it to another site.
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

/**
 * Where the emailed link lands. A link that no longer works says so before a
 * password is typed; one that works lists the account's passkeys, which a new
 * password does not stop (see the form).
 */
export default async function Page({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token: given } = await searchParams;
  const token = typeof given === "string" ? given : "";
  const passkeys = token
    ? await readOrShowUnavailable(await headers(), async () => {
        const userId = await accountOfResetLink(token);
        return userId ? await listPasskeysOfUser(userId) : null;
      })
    : null;
  if (!passkeys) {
    return (
      <NarrowPage title="Choose a new password">
        <ErrorMessage>{token ? RESET_LINK_USED_TEXT : "This link is incomplete. Ask for a new one."}</ErrorMessage>
        <NarrowPageLink href="/forgot-password">Ask for a new link</NarrowPageLink>
      </NarrowPage>
    );
  }
  return <ResetPasswordForm token={token} passkeys={passkeys} />;
}
