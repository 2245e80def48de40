/**
 * How long the dashboard offers Undo after a delete, chosen on the account page and kept in this
 * browser (localStorage): 5 seconds (the default: the delete reaches the person's other devices
 * at once), or until the notice is closed, for whoever cannot act within 5 seconds (WCAG 2.2.1:
 * a time limit the person can turn off). Kept, the delete is sent when the notice goes: closed,
 * replaced by the next delete, or the page hidden or left.
 */
const UNTIL_CLOSED_KEY = "tasks:undo-until-closed";

/** Whether Undo stays until the notice is closed (false where the browser keeps nothing). */
export function undoUntilClosed(): boolean {
  try {
    return localStorage.getItem(UNTIL_CLOSED_KEY) === "1";
  } catch {
    return false;
  }
}

/** Keeps the choice in this browser; false if it cannot keep it (storage turned off or full). */
export function keepUndoUntilClosed(on: boolean): boolean {
  try {
    if (on) localStorage.setItem(UNTIL_CLOSED_KEY, "1");
    else localStorage.removeItem(UNTIL_CLOSED_KEY);
    return true;
  } catch {
    return false;
  }
}
