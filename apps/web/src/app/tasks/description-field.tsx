"use client";
import type { TextareaHTMLAttributes } from "react";

/**
 * Whether a key belongs to an input method's composition (Enter picks the word, Escape cancels it),
 * not to the form. Safari says so by the key code 229 alone: its key that ends a composition comes
 * after compositionend, with isComposing false.
 */
export function endsComposition(key: KeyboardEvent): boolean {
  return key.isComposing || key.keyCode === 229;
}

/**
 * A task's description where it is typed (the add form, the editor): several lines, as the API
 * keeps them. A one-line input took the line breaks out of a description written elsewhere, and a
 * save stored it that way. Enter still sends the form, as in its other fields; Shift+Enter starts a
 * new line. It grows with its lines, up to six.
 */
export function DescriptionField({
  id,
  value,
  onChange,
  "aria-describedby": describedBy,
  ...props
}: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "value" | "onChange" | "rows" | "dir"> & {
  id: string;
  value: string;
  onChange: (value: string) => void;
}) {
  // Said to a screen reader with the field: nothing else tells it that Enter sends.
  const hint = `${id}-hint`;
  return (
    <>
      <span id={hint} hidden>
        Enter sends the form; Shift+Enter starts a new line.
      </span>
      <textarea
        {...props}
        id={id}
        aria-describedby={describedBy ? `${hint} ${describedBy}` : hint}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          // Not while an input method is composing: there Enter picks the word.
          if (event.key !== "Enter" || event.shiftKey || endsComposition(event.nativeEvent)) return;
          event.preventDefault();
          event.currentTarget.form?.requestSubmit();
        }}
        rows={Math.min(6, value.split("\n").length)}
        dir="auto"
      />
    </>
  );
}
