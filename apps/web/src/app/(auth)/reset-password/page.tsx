import type { Metadata } from "next";
import { headers } from "next/headers";
import { listPasskeysOfUser } from "@/lib/account-passkeys";
import { accountOfResetLink } from "@/lib/reset-links";
import { readOrShowUnavailable } from "@/lib/unavailable";
import { ResetPasswordForm } from "./reset-password-form";

export const dynamic = "force-dynamic";

// The URL carries the reset token: no Referer may take it to another site.
export const metadata: Metadata = { referrer: "no-referrer" };

/**
 * Where the emailed link lands. A link that no longer works says so before a
 * password is typed; one that works lists the account's passkeys, which a new
 * password does not stop (see the form).
 */
export default async function Page({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token: given } = await searchParams;
  const token = typeof given === "string" ? given : "";
  const link = token
    ? await readOrShowUnavailable(await headers(), async () => {
        const userId = await accountOfResetLink(token);
        return userId ? { works: true, passkeys: await listPasskeysOfUser(userId) } : { works: false, passkeys: [] };
      })
    : { works: false, passkeys: [] };
  return <ResetPasswordForm token={token} linkWorks={link.works} passkeys={link.passkeys} />;
}
