"use client";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/password-rules";
import { useFieldProblem } from "./form-problem";
import { field, label } from "./styles";

interface PasswordFieldProps {
  /** The input's id and form name. */
  id: string;
  label: string;
  /** `new`: the length rules apply and are said under the field; `repeat`: the new one again. */
  kind: "current" | "new" | "repeat";
}

/**
 * A labelled password input, as every password form of the app has it; marked and read with its
 * form's failure when that is about it (form-problem.tsx).
 */
export function PasswordField({ id, label: text, kind }: PasswordFieldProps) {
  const isNew = kind === "new";
  // The rules are read with the field, not only seen under it.
  const problem = useFieldProblem(kind, isNew ? `${id}-rules` : undefined);
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={label}>
        {text}
      </label>
      <input
        id={id}
        name={id}
        type="password"
        autoComplete={kind === "current" ? "current-password" : "new-password"}
        required
        minLength={isNew ? PASSWORD_MIN : undefined}
        maxLength={isNew ? PASSWORD_MAX : undefined}
        {...problem}
        className={`w-full ${field}`}
      />
      {isNew && (
        <p id={`${id}-rules`} className="text-xs text-slate-600 dark:text-slate-400">
          {PASSWORD_MIN} to {PASSWORD_MAX} characters.
        </p>
      )}
    </div>
  );
}
