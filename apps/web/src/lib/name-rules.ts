/**
 * What a name must be: a person's (what the account page and the emails call them) and a
 * passkey's. The forms stop at the lengths (maxLength) and the server refuses what breaks a rule
 * (auth-hooks.ts), as both are shown on the account page and copied into emails. Lengths in UTF-16 code
 * units, as the forms' maxLength counts.
 */
export const NAME_MAX = 100;
export const PASSKEY_NAME_MAX = 60;

/** What a form and the server say of a name left blank. */
export const NAME_REQUIRED_TEXT = "Give a name.";
/** What the server says of a person's name over NAME_MAX (the form stops at it). */
export const NAME_TOO_LONG_TEXT = `A name is at most ${NAME_MAX} characters.`;
/** What the passkey's rename form says of a name left blank (a new passkey's may be: the plugin names it). */
export const PASSKEY_NAME_REQUIRED_TEXT = "Give the passkey a name.";
/** What the server says of a passkey's name over PASSKEY_NAME_MAX (the forms stop at it). */
export const PASSKEY_NAME_TOO_LONG_TEXT = `A passkey's name is at most ${PASSKEY_NAME_MAX} characters.`;

/**
 * Where a request to Better Auth carries a name, and its rules there. The words are the constants the
 * forms know (a person's name field is marked by them: components/form-problem.tsx).
 */
const PERSON_NAME = { max: NAME_MAX, tooLong: NAME_TOO_LONG_TEXT };
const PASSKEY_NAME = { max: PASSKEY_NAME_MAX, tooLong: PASSKEY_NAME_TOO_LONG_TEXT };
const NAMES_BY_PATH: Record<string, { max: number; tooLong: string; required: boolean }> = {
  // Not blank: Better Auth takes "".
  "/sign-up/email": { ...PERSON_NAME, required: true },
  "/update-user": { ...PERSON_NAME, required: true },
  // Blank: the plugin names the passkey itself.
  "/passkey/verify-registration": { ...PASSKEY_NAME, required: false },
  "/passkey/update-passkey": { ...PASSKEY_NAME, required: false },
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
    return { code: "NAME_TOO_LONG", message: rule.tooLong };
  }
  return null;
}
