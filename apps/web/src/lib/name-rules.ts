/**
 * How long a person's name and a passkey's name may be: the forms stop there (maxLength) and the
 * server refuses more (auth.ts), as both are shown on the account page and copied into emails. In
 * UTF-16 code units, as the forms' maxLength counts.
 */
export const NAME_MAX = 100;
export const PASSKEY_NAME_MAX = 60;

/** Where a request to Better Auth carries a name, and how long it may be. */
const NAMES_BY_PATH: Record<string, { max: number; what: string }> = {
  "/sign-up/email": { max: NAME_MAX, what: "A name" },
  "/update-user": { max: NAME_MAX, what: "A name" },
  "/passkey/verify-registration": { max: PASSKEY_NAME_MAX, what: "A passkey's name" },
  "/passkey/update-passkey": { max: PASSKEY_NAME_MAX, what: "A passkey's name" },
};

/** What is wrong with the name a request carries (too long), or null. */
export function nameTooLong(path: string, body: unknown): string | null {
  const rule = NAMES_BY_PATH[path];
  const name = typeof body === "object" && body !== null ? (body as { name?: unknown }).name : undefined;
  if (!rule || typeof name !== "string" || name.length <= rule.max) return null;
  return `${rule.what} is at most ${rule.max} characters.`;
}
