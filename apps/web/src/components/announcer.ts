/**
 * The page's one polite live region (`role="status"`, in layout.tsx): on the page from its start, so
 * that what is put in it is read out. A region that appears already holding its words (a success
 * message drawn where there was none) is often not read out by NVDA or JAWS.
 */
export const ANNOUNCER_ID = "announcer";

/** Reads `words` out through the page's live region; the same words twice are read out twice. */
export function announce(words: string): void {
  const region = document.getElementById(ANNOUNCER_ID);
  if (!region) return;
  // The same words set again change nothing, and say nothing: a no-break space makes them new.
  region.textContent = region.textContent === words ? `${words}\u00a0` : words;
}
