import { useCallback, useState } from "react";

/** A failure said by OutcomeMessage; `form` names the form it belongs under, when a section has several. */
export type FormError = { ok: false; text: string; form?: string };

/**
 * A form's failure, for OutcomeMessage: each `setError(text)` is a new message, so that a problem
 * said twice ("Enter the 6 digits…" after a second empty try) is read out twice, where the same
 * words set on the alert already there said nothing (nor changed anything on the screen).
 * `setError(text, form)` ties it to one of the section's forms, shown there (`errorOf`) rather than
 * under whichever form comes last.
 */
export function useFormError(): [FormError | null, (text: string | null, form?: string) => void] {
  const [error, setErrorMessage] = useState<FormError | null>(null);
  const setError = useCallback(
    (text: string | null, form?: string) => setErrorMessage(text === null ? null : { ok: false, text, form }),
    [],
  );
  return [error, setError];
}

/** The error if it belongs to `form` (no form: the section's own, said once at its end). */
export function errorOf(error: FormError | null, form?: string): FormError | null {
  return error?.form === form ? error : null;
}
