"use client";
import type { TextareaHTMLAttributes } from "react";

/**
 * A task's description where it is typed (the add form, the editor): several lines, as the API
 * keeps them. A one-line input took the line breaks out of a description written elsewhere, and a
 * save stored it that way. Enter still sends the form, as in its other fields; Shift+Enter starts a
 * new line. It grows with its lines, up to six.
 */
export function DescriptionField({
  value,
  onChange,
  ...props
}: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "value" | "onChange" | "rows" | "dir"> & {
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <textarea
      {...props}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={(event) => {
        // (Not while an input method is composing: there Enter picks the word.)
        if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
        event.preventDefault();
        event.currentTarget.form?.requestSubmit();
      }}
      rows={Math.min(6, value.split("\n").length)}
      dir="auto"
    />
  );
}
