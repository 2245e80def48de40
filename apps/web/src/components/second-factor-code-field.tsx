"use client";
import { useFieldProblem } from "./form-problem";
import { field, label } from "./styles";

/**
 * A labelled field for a code of the account's second factor: the authenticator app's 6 digits,
 * or a backup code (the account page asks for one beside the password, with two-factor sign-in on).
 */
export function SecondFactorCodeField({ id, label: text }: { id: string; label: string }) {
  const problem = useFieldProblem("code", `${id}-hint`);
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={label}>
        {text}
      </label>
      <input
        id={id}
        name={id}
        autoComplete="one-time-code"
        // Backup codes tell capitals from small letters: no keyboard's capital first letter.
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        // A backup code as handed out is 11 characters; room for spaces typed in either kind.
        maxLength={20}
        {...problem}
        className={`w-full ${field} font-mono`}
      />
      <p id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
        The 6 digits your authenticator app shows, or one of your backup codes.
      </p>
    </div>
  );
}
