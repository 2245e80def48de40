"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { field, primaryButton } from "@/components/styles";
import { authClient } from "@/lib/auth-client";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/password-rules";

interface AuthFormProps {
  mode: "sign-in" | "sign-up";
  next: string;
}

const inputClass = `w-full ${field}`;

export function AuthForm({ mode, next }: AuthFormProps) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signUp = mode === "sign-up";

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    const { error: failure } = signUp
      ? await authClient.signUp.email({ name: String(form.get("name") ?? "").trim(), email, password })
      : await authClient.signIn.email({ email, password });
    setPending(false);
    if (failure) {
      setError(
        failure.status === 429
          ? "Too many attempts. Wait a minute and try again."
          : (failure.message ?? "Something went wrong. Try again."),
      );
      return;
    }
    router.replace(next);
    router.refresh();
  }

  const otherHref = `${signUp ? "/sign-in" : "/sign-up"}${next !== "/tasks" ? `?next=${encodeURIComponent(next)}` : ""}`;
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-6 text-2xl font-semibold">{signUp ? "Create your account" : "Sign in to Tasks"}</h1>
      <form onSubmit={onSubmit} className="space-y-4" noValidate={false}>
        {signUp && (
          <div className="space-y-1">
            <label htmlFor="name" className="block text-sm font-medium">
              Name
            </label>
            <input id="name" name="name" autoComplete="name" required maxLength={100} className={inputClass} />
          </div>
        )}
        <div className="space-y-1">
          <label htmlFor="email" className="block text-sm font-medium">
            Email
          </label>
          <input id="email" name="email" type="email" autoComplete="email" required className={inputClass} />
        </div>
        <div className="space-y-1">
          <label htmlFor="password" className="block text-sm font-medium">
            Password
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={signUp ? "new-password" : "current-password"}
            required
            minLength={PASSWORD_MIN}
            maxLength={PASSWORD_MAX}
            className={inputClass}
          />
          {signUp && (
            <p className="text-xs text-slate-600 dark:text-slate-400">
              {PASSWORD_MIN} to {PASSWORD_MAX} characters.
            </p>
          )}
        </div>
        {error && (
          <p
            role="alert"
            className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {error}
          </p>
        )}
        <button type="submit" disabled={pending} className={`w-full ${primaryButton}`}>
          {pending ? "Please wait…" : signUp ? "Sign up" : "Sign in"}
        </button>
      </form>
      <p className="mt-6 text-sm text-slate-700 dark:text-slate-300">
        {signUp ? "Already have an account? " : "New here? "}
        <Link href={otherHref} className="font-medium text-indigo-700 underline dark:text-indigo-300">
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </main>
  );
}
