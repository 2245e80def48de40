/**
 * What a name must be: a person's (what the account page and the emails call them) and a
 * passkey's. The forms stop at the lengths (maxLength) and the server refuses what breaks a rule
 * (auth.ts), as both are shown on the account page and copied into emails. Lengths in UTF-16 code
 * units, as the forms' maxLength counts.
 */
export const NAME_MAX = 100;
export const PASSKEY_NAME_MAX = 60;

/** What a form and the server say of a name left blank. */
export const NAME_REQUIRED_TEXT = "Give a name.";
/** What the server says of a person's name over NAME_MAX (the form stops at it). */
export const NAME_TOO_LONG_TEXT = `A name is at most ${NAME_MAX} characters.`;

/** Where a request to Better Auth carries a name, and its rules there. */
const NAMES_BY_PATH: Record<string, { max: number; what: string; required: boolean }> = {
  // Not blank: Better Auth takes "".
  "/sign-up/email": { max: NAME_MAX, what: "A name", required: true },
  "/update-user": { max: NAME_MAX, what: "A name", required: true },
  // Blank: the plugin names the passkey itself.
  "/passkey/verify-registration": { max: PASSKEY_NAME_MAX, what: "A passkey's name", required: false },
  "/passkey/update-passkey": { max: PASSKEY_NAME_MAX, what: "A passkey's name", required: false },
};

/** The rule the name a request carries breaks (its code and words), or null. */
export function nameProblem(path: string, body: unknown): { code: string; message: string } | null {
  const rule = NAMES_BY_PATH[path];
  if (!rule || typeof body !== "object" || body === null || !("name" in body)) return null;
  const { name } = body as { name: unknown };
  if (name === undefined) return null;
  if (rule.required && !(typeof name === "string" && name.trim() !== "")) {
    return { code: "NAME_REQUIRED", message: NAME_REQUIRED_TEXT };
  }
  if (typeof name === "string" && name.length > rule.max) {
    return { code: "NAME_TOO_LONG", message: `${rule.what} is at most ${rule.max} characters.` };
  }
  return null;
}
