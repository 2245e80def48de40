/**
 * What a person typed, carried in a request header of ours (their password,
 * a second factor's code) where the passkey plugin's client sends a body of
 * its own: percent-encoded, as a header holds Latin-1 only and anything may be
 * typed.
 */
export function headerText(typed: string): string {
  return encodeURIComponent(typed);
}

/** The text such a header carries ("" when it carries none, or nothing that decodes). */
export function textOfHeader(value: string | null | undefined): string {
  try {
    return decodeURIComponent(value ?? "");
  } catch {
    return "";
  }
}
