import Link from "next/link";
import type { ReactNode } from "react";
import { SESSION_ENDED, SESSION_ENDED_TEXT } from "@/lib/auth-errors";
import { SignInAgainLink } from "./sign-in-again-link";
import { errorBox, link } from "./styles";
import { SuccessMessage } from "./success-message";

/** A failure the person must read: announced by screen readers at once. */
export function ErrorMessage({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} role="alert" className={errorBox}>
      {children}
    </p>
  );
}

/** Something worth knowing on arrival, neither a success nor a failure (why the sign-in page is shown). */
export function NoticeMessage({ children }: { children: ReactNode }) {
  return (
    <StatusMessage colours="bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100">
      {children}
    </StatusMessage>
  );
}

/** A message announced politely (`role="status"`), in a box of its kind's colours: one there on arrival. */
function StatusMessage({ colours, children }: { colours: string; children: ReactNode }) {
  return (
    // A message may quote an address or a name with no spaces, wider than a phone: it wraps.
    <p role="status" className={`rounded-md px-3 py-2 text-sm [overflow-wrap:anywhere] ${colours}`}>
      {children}
    </p>
  );
}

/**
 * How an action went, said as a success or as a failure; nothing before the first try. `id`: the
 * failure's, which the fields it is about point at (form-problem.tsx).
 */
export function OutcomeMessage({ outcome, id }: { outcome: { ok: boolean; text: string } | null; id?: string }) {
  if (!outcome) return null;
  // Each outcome its own element, though its words be the last one's ("That password is not right."
  // twice): a screen reader announces a message as it appears, and says nothing when a message on
  // the page is set to the words it already has.
  const key = messageKey(outcome);
  if (outcome.ok) return <SuccessMessage key={key}>{outcome.text}</SuccessMessage>;
  // The session ended under the page (signed out everywhere from another device): the way on is to
  // sign in, and back to this page.
  if (outcome.text === SESSION_ENDED_TEXT) {
    return (
      <ErrorMessage key={key} id={id}>
        {SESSION_ENDED} <SignInAgainLink />.
      </ErrorMessage>
    );
  }
  return (
    <ErrorMessage key={key} id={id}>
      {outcome.text}
    </ErrorMessage>
  );
}

const messageKeys = new WeakMap<object, number>();
let lastMessageKey = 0;
/**
 * The same number for the same message (object) at every render, a new one for each new message: as
 * a React key, each message said is its own element, read out though its words be the last one's.
 */
export function messageKey(message: object): number {
  let key = messageKeys.get(message);
  if (key === undefined) {
    key = ++lastMessageKey;
    messageKeys.set(message, key);
  }
  return key;
}

/** The narrow centred column of the sign-in, sign-up and password pages. */
export function NarrowPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-6 text-2xl font-semibold">{title}</h1>
      {children}
    </main>
  );
}

/** The one link under a narrow page's content: back to sign in, on to the tasks, and the like. */
export function NarrowPageLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <p className="mt-6 text-sm">
      <Link href={href} className={link}>
        {children}
      </Link>
    </p>
  );
}

export { SuccessMessage };
