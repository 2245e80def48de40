/**
 * Whether the keyboard's focus is nowhere in particular (on the page's body, where a browser puts
 * it when the focused element goes or is disabled): the page may then put it where the person's
 * work goes on. Focus the person has put somewhere since is left where it is.
 */
export function isFocusLost(): boolean {
  return document.activeElement === null || document.activeElement === document.body;
}
