"use client";
import { type ComponentProps, createContext, type ReactNode, useContext, useId } from "react";
import {
  BACKUP_CODE_NOT_RIGHT,
  CODE_NOT_RIGHT,
  ENTER_A_BACKUP_CODE,
  ENTER_A_CODE,
  ENTER_SIX_DIGITS,
  NOT_AN_EMAIL_TEXT,
  SIGN_IN_REFUSED_TEXT,
  WAIT_FOR_NEXT_CODE,
  WRONG_PASSWORD_TEXT,
} from "@/lib/auth-errors";
import { EMAIL_TOO_LONG_TEXT } from "@/lib/email-rules";
import {
  NAME_REQUIRED_TEXT,
  NAME_TOO_LONG_TEXT,
  PASSKEY_NAME_REQUIRED_TEXT,
  PASSKEY_NAME_TOO_LONG_TEXT,
} from "@/lib/name-rules";
import { PASSWORD_LENGTH_TEXT, PASSWORDS_DIFFER } from "@/lib/password-rules";
import { OutcomeMessage } from "./messages";
import { label } from "./styles";

/**
 * The fields a form's failure can be about: a password (the current one, sign-in's, a new one, the
 * new one again), a code, a person's or a passkey's name, an address.
 */
export type FieldKind = "current" | "new" | "repeat" | "code" | "name" | "email";

/** The failures that are about a field of each kind, by the words they start with. */
const ABOUT: Record<FieldKind, string[]> = {
  // Sign-in's refusal is about the address and the password: both are marked.
  current: [WRONG_PASSWORD_TEXT, SIGN_IN_REFUSED_TEXT],
  new: [PASSWORD_LENGTH_TEXT],
  repeat: [PASSWORDS_DIFFER],
  code: [
    CODE_NOT_RIGHT,
    BACKUP_CODE_NOT_RIGHT,
    ENTER_A_CODE,
    ENTER_SIX_DIGITS,
    ENTER_A_BACKUP_CODE,
    WAIT_FOR_NEXT_CODE,
  ],
  name: [NAME_REQUIRED_TEXT, NAME_TOO_LONG_TEXT, PASSKEY_NAME_REQUIRED_TEXT, PASSKEY_NAME_TOO_LONG_TEXT],
  email: [NOT_AN_EMAIL_TEXT, EMAIL_TOO_LONG_TEXT, SIGN_IN_REFUSED_TEXT],
};

type Outcome = { ok: boolean; text: string } | null;

const FormOutcomeContext = createContext<{ outcome: Outcome; messageId: string }>({ outcome: null, messageId: "" });

/**
 * How a form's last try went, for the form's fields and its message (FormOutcome): the field a failure
 * is about says so itself (`aria-invalid`) and is read with the failure's words (`aria-describedby`),
 * for someone who goes back to it, not only the alert under the form (WCAG 3.3.1). Renders no element.
 */
export function FormProblem({ outcome, children }: { outcome: Outcome; children: ReactNode }) {
  const messageId = useId();
  return <FormOutcomeContext value={{ outcome, messageId }}>{children}</FormOutcomeContext>;
}

/** The form's outcome (OutcomeMessage), where the form shows it: its fields point at it. */
export function FormOutcome() {
  const { outcome, messageId } = useContext(FormOutcomeContext);
  return <OutcomeMessage outcome={outcome} id={messageId} />;
}

/** A field's `aria-invalid` and `aria-describedby` (its own hint first, then the failure about it, if any). */
export function useFieldProblem(kind: FieldKind, hintId?: string) {
  const { outcome, messageId } = useContext(FormOutcomeContext);
  // By its first words: a form may add a sentence of its own (the passkeys' "The code you typed has
  // been used…" after a refusal met mid-ceremony).
  const about = outcome !== null && !outcome.ok && ABOUT[kind].some((text) => outcome.text.startsWith(text));
  const describedBy = [hintId, about ? messageId : undefined].filter(Boolean).join(" ");
  return { "aria-invalid": about || undefined, "aria-describedby": describedBy || undefined };
}

/** An input of a FormProblem's form, marked and read with the form's failure when that is about `about`. */
export function FormInput({ about, ...input }: ComponentProps<"input"> & { about: FieldKind }) {
  return <input {...input} {...useFieldProblem(about, input["aria-describedby"])} />;
}

/** A FormInput under its label, its form name its id. */
export function LabelledInput({
  label: text,
  id,
  ...input
}: ComponentProps<typeof FormInput> & { id: string; label: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={label}>
        {text}
      </label>
      <FormInput id={id} name={id} {...input} />
    </div>
  );
}
