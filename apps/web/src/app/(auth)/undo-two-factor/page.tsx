import type { Metadata } from "next";
import { headers } from "next/headers";
import { ErrorMessage, NarrowPage, NarrowPageLink } from "@/components/messages";
import { listPasskeysOfUser } from "@/lib/account-passkeys";
import { readOrShowUnavailable } from "@/lib/unavailable";
import { readUndoTwoFactorLink, UNDO_LINK_DAYS } from "@/lib/undo-two-factor";
import { UndoTwoFactorForm } from "./undo-two-factor-form";

export const dynamic = "force-dynamic";

// The URL carries the link's token: no Referer may take it to another site.
export const metadata: Metadata = { title: "Turn off two-factor sign-in", referrer: "no-referrer" };

/**
 * Where the link in "Two-factor sign-in is on" lands (lib/undo-two-factor.ts):
 * it changes nothing by itself (a mail scanner may open it); the form turns
 * that second factor off with a new password.
 */
export default async function Page({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const undoable = await readOrShowUnavailable(await headers(), async () => {
    const link = await readUndoTwoFactorLink(token);
    return link ? { link, passkeys: await listPasskeysOfUser(link.userId) } : null;
  });
  if (!undoable || typeof token !== "string") {
    return (
      <NarrowPage title="Turn off two-factor sign-in">
        <ErrorMessage>
          This link no longer works: it is more than {UNDO_LINK_DAYS} days old, it was used, two-factor sign-in was
          turned off or set up again since, or the account has another email address now.
        </ErrorMessage>
        <NarrowPageLink href="/sign-in">Go to sign in</NarrowPageLink>
      </NarrowPage>
    );
  }
  return <UndoTwoFactorForm token={token} email={undoable.link.email} passkeys={undoable.passkeys} />;
}
