import { ForgotPasswordForm } from "./forgot-password-form";

export const dynamic = "force-dynamic";

export default function Page() {
  return <ForgotPasswordForm />;
}
