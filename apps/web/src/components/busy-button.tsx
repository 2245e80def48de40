import type { ButtonHTMLAttributes } from "react";

type BusyButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** Its work is on its way: a press does nothing (a form's submit, Enter in its fields included). */
  busy: boolean;
};

/**
 * A button that is busy without leaving the keyboard's reach: aria-disabled, not disabled, which
 * would move the focus of whoever pressed it to the page's body, so that a keyboard or screen
 * reader user is left nowhere when the answer ("That password is not right.") comes. `disabled`
 * is still for a button that cannot work at all yet (a form before the page's script has run,
 * which would send it as a plain GET, password in the address).
 */
export function BusyButton({ busy, onClick, ...props }: BusyButtonProps) {
  return (
    <button
      {...props}
      aria-disabled={busy || undefined}
      onClick={(event) => {
        // Cancelling the click cancels the submit it would make, Enter's in a field included.
        if (busy) return event.preventDefault();
        onClick?.(event);
      }}
    />
  );
}
