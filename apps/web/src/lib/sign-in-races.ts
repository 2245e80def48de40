/**
 * A password sign-in that checked the old password must not outlive its change.
 *
 * A password reset, a change of password that signs the other devices out, and turning two-factor
 * sign-in on or off each end the account's sessions and then write the change, in statements of
 * their own (Better Auth's adapter runs without transactions here). A sign-in reads the password,
 * spends a tenth of a second checking it, then makes its session: one that read the old password
 * (or no second factor) and made its session after the sign-out would keep it for days, with
 * tokens the Task API accepts. Two halves close that:
 * - the change, once written, ends the sessions again (endSessionsAgain): a session made before
 *   that has gone;
 * - a sign-in reads the account's credentials before Better Auth does and again once its session
 *   exists (noteCredentialsAtSignIn, refuseSignInIfCredentialsChanged): a session made after the
 *   second end was made after the change was written, and the second read sees it.
 */
import "server-only";
import { APIError } from "better-auth";
import { deleteSessionCookie } from "better-auth/cookies";
import { CREDENTIALS_CHANGED } from "./auth-errors";
import type { HookContext } from "./auth-hook-context";
import { webDatabasePool } from "./database";

/** What a password sign-in is checked against, by request: the password's hash and the second factor's state. */
const credentialsAtStart = new WeakMap<Request, string | null>();

/** The account's password hash and whether two-factor sign-in is on, as one comparable value (null: no such account). */
async function readCredentials(by: "email" | "id", value: string): Promise<string | null> {
  const { rows } = await webDatabasePool().query<{ two_factor_enabled: boolean; password: string | null }>(
    `SELECT u.two_factor_enabled, a.password
       FROM users u LEFT JOIN accounts a ON a.user_id = u.id AND a.provider_id = 'credential'
      WHERE ${by === "email" ? "u.email" : "u.id"} = $1`,
    [value],
  );
  const row = rows[0];
  return row ? JSON.stringify([row.two_factor_enabled, row.password]) : null;
}

/** Before a password sign-in: what it is about to be checked against. */
export async function noteCredentialsAtSignIn(ctx: HookContext): Promise<void> {
  if (ctx.path !== "/sign-in/email" || !ctx.request || typeof ctx.body?.email !== "string") return;
  credentialsAtStart.set(ctx.request, await readCredentials("email", ctx.body.email.toLowerCase()));
}

/**
 * After a password sign-in made its session: when the password or the second factor changed
 * meanwhile, the session ends and the sign-in is refused (the person signs in again, against the
 * change).
 */
export async function refuseSignInIfCredentialsChanged(ctx: HookContext): Promise<void> {
  const atStart = ctx.request ? credentialsAtStart.get(ctx.request) : undefined;
  const made = ctx.context.newSession;
  if (atStart === undefined || !made) return;
  if ((await readCredentials("id", made.user.id)) === atStart) return;
  await ctx.context.internalAdapter.deleteSession(made.session.token);
  // No session for the hooks after this one to see: the two-factor plugin's would otherwise start a
  // second step for it (and answer 200), and no cookie of the ended session.
  ctx.context.setNewSession(null);
  deleteSessionCookie(ctx);
  throw new APIError("UNAUTHORIZED", {
    code: CREDENTIALS_CHANGED,
    message: "The account's password or sign-in changed just now. Sign in again.",
  });
}

/**
 * After a change that signed the account's devices out was written: its sessions end again, all
 * but `keep` (the device that made the change, when it stays signed in). Logged, not thrown: the
 * change is in place, and the request must not report it as failed.
 */
export async function endSessionsAgain(userId: string, keep: { id?: string; token?: string } = {}): Promise<void> {
  await webDatabasePool()
    .query("DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2 AND token IS DISTINCT FROM $3", [
      userId,
      keep.id ?? null,
      keep.token ?? null,
    ])
    .catch((error: unknown) => console.error("[auth] could not end the account's sessions again", error));
}
