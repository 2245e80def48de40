import { useCallback, useState } from "react";

/**
 * A form's failure, for OutcomeMessage: each `setError(text)` is a new message, so that a problem
 * said twice ("Enter the 6 digits…" after a second empty try) is read out twice, where the same
 * words set on the alert already there said nothing (nor changed anything on the screen).
 */
export function useFormError(): [{ ok: false; text: string } | null, (text: string | null) => void] {
  const [error, setErrorMessage] = useState<{ ok: false; text: string } | null>(null);
  const setError = useCallback(
    (text: string | null) => setErrorMessage(text === null ? null : { ok: false, text }),
    [],
  );
  return [error, setError];
}
