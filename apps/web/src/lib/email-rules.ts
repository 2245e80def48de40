/**
 * How long an address may be: 254 characters, the most an SMTP path can carry (RFC 5321, with
 * RFC 3696's errata). Better Auth's own check has no limit, and every access token carries the
 * address: one of 11,000 characters made tokens of 15 kB, which the Task API now refuses (and
 * keeps a verified one in its cache). The forms stop at it (maxLength); the server refuses more.
 */
export const EMAIL_MAX = 254;

/** What the server says of a new address over EMAIL_MAX (the forms stop at it). */
export const EMAIL_TOO_LONG_TEXT = `An email address is at most ${EMAIL_MAX} characters.`;

/** Where a request to Better Auth carries a new address, by the field that holds it. */
const ADDRESS_FIELD_BY_PATH: Record<string, string> = {
  "/sign-up/email": "email",
  "/change-email": "newEmail",
};

/** What is wrong with the new address a request carries (its code and words), or null. */
export function emailProblem(path: string, body: unknown): { code: string; message: string } | null {
  const field = ADDRESS_FIELD_BY_PATH[path];
  if (!field || typeof body !== "object" || body === null) return null;
  const address = (body as Record<string, unknown>)[field];
  if (typeof address === "string" && address.length > EMAIL_MAX) {
    return { code: "EMAIL_TOO_LONG", message: EMAIL_TOO_LONG_TEXT };
  }
  return null;
}
