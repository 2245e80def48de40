/**
 * The page's one polite live region (`role="status"`, in layout.tsx): on the page from its start, so
 * that what is put in it is read out. A region that appears already holding its words (a success
 * message drawn where there was none) is often not read out by NVDA or JAWS.
 */
export const ANNOUNCER_ID = "announcer";

/**
 * How long words stay in the region: long enough to be read out, gone before they could be found
 * there later, on this page or the next (the region stays as the app moves between pages), saying
 * what may no longer be so ("Name saved." beside a failure to save it since).
 */
const SAID_FOR_MS = 7_000;

/**
 * Reads `words` out through the page's live region: each as an element of its own, so that the same
 * words twice are read out twice, and two said at once are both read.
 */
export function announce(words: string): void {
  const region = document.getElementById(ANNOUNCER_ID);
  if (!region) return;
  const said = document.createElement("p");
  said.textContent = words;
  region.append(said);
  setTimeout(() => said.remove(), SAID_FOR_MS);
}
