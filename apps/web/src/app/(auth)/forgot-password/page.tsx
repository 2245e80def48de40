import type { Metadata } from "next";
import { ForgotPasswordForm } from "./forgot-password-form";

export const metadata: Metadata = { title: "Reset your password" };

export const dynamic = "force-dynamic";

export default function Page() {
  return <ForgotPasswordForm />;
}
