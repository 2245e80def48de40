"use client";
import { EMAIL_MAX } from "@/lib/email-rules";
import { LabelledInput } from "./form-problem";
import { field } from "./styles";

/**
 * The labelled address field of the sign-in, sign-up and forgot-password forms (`email`): marked and
 * read with its form's failure when that is about the address (form-problem.tsx).
 */
export function EmailField({ autoComplete = "email", defaultValue }: { autoComplete?: string; defaultValue?: string }) {
  return (
    <LabelledInput
      label="Email"
      about="email"
      id="email"
      type="email"
      maxLength={EMAIL_MAX}
      autoComplete={autoComplete}
      required
      defaultValue={defaultValue}
      className={`w-full ${field}`}
    />
  );
}
