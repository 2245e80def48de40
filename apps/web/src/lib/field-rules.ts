/**
 * Fields Better Auth takes beyond names and addresses (name-rules.ts, email-rules.ts), bounded
 * here (auth-hooks.ts refuses what breaks a rule): Better Auth takes them of any length.
 * - `image`: a picture's address, kept on the account. This app shows none, and one of megabytes
 *   on each of many sign-ups, or written again and again, filled the database's disk.
 * - Where to go after a link (`callbackURL` and its kind): copied into the email that carries the
 *   link, so one of megabytes made each email as large.
 */
export const LANDING_MAX = 2_048;

const LANDING_FIELDS = ["callbackURL", "newUserCallbackURL", "errorCallbackURL", "redirectTo"] as const;

/** The rule a request's body or query breaks (its code and words), or null. */
export function fieldProblem(path: string, body: unknown, query: unknown): { code: string; message: string } | null {
  const inBody = isObject(body) ? body : {};
  if ((path === "/sign-up/email" || path === "/update-user") && inBody.image != null) {
    return { code: "IMAGE_NOT_TAKEN", message: "A picture is not taken: this app shows none." };
  }
  // The body's and the query's each: one must not hide the other.
  for (const fields of [inBody, isObject(query) ? query : {}]) {
    for (const name of LANDING_FIELDS) {
      const landing = fields[name];
      if (typeof landing === "string" && landing.length > LANDING_MAX) {
        return {
          code: "LANDING_TOO_LONG",
          message: `Where to go after the link is at most ${LANDING_MAX} characters.`,
        };
      }
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
