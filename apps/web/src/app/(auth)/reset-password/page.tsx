import type { Metadata } from "next";
import { ResetPasswordForm } from "./reset-password-form";

export const dynamic = "force-dynamic";

// The URL carries the reset token: no Referer may take it to another site.
export const metadata: Metadata = { referrer: "no-referrer" };

export default async function Page({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <ResetPasswordForm token={typeof token === "string" ? token : ""} />;
}
