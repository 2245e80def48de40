import type { ReactNode } from "react";

/** One titled part of the account page; its heading names it for screen readers too. */
export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** What the auth client's error says, for a person. */
export function describeAuthError(error: { status: number; code?: string; message?: string }): string {
  if (error.status === 429) return "Too many attempts. Wait a minute and try again.";
  if (error.code === "INVALID_PASSWORD") return "That password is not right.";
  if (error.code === "INVALID_CODE") return "That code is not right. Check your authenticator app and try again.";
  if (error.status === 401) return "Your session has ended. Sign in again.";
  return error.message ?? "Something went wrong. Try again.";
}
