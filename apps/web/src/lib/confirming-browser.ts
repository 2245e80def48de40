/**
 * With REQUIRE_EMAIL_VERIFICATION, a sign-up's confirmation link signs its
 * browser in (Better Auth's autoSignInAfterVerification), so that the person
 * who just signed up goes straight to their tasks. Only that browser: anyone
 * can sign up with an address of their own and send the link to someone
 * else, whose browser, signed out, would then be signed in to the sender's
 * account and keep in it whatever they typed (a "login CSRF"). So sign-up
 * leaves a signed cookie naming the address it was for, and a link that signs
 * in a browser without it (another device, or someone else's) is undone:
 * the address is confirmed, no session is kept, and the sign-in page says
 * the address is confirmed (link-landing.ts).
 */
import "server-only";
import { deleteSessionCookie } from "better-auth/cookies";
import type { HookContext } from "./auth-hook-context";

const COOKIE = "confirming";
/**
 * As long as the sign-up's link works (emailVerification.expiresIn). A link sent again later (a
 * sign-in before the address is confirmed sends one) may outlive it: opened after that, it confirms
 * the address and the sign-in page asks for the password, as on another device.
 */
const COOKIE_SECONDS = 3600;

/** After a sign-up with `email` (taken or not: the answers are the same): this browser may be signed in by its link. */
export async function rememberConfirmingBrowser(ctx: HookContext, email: string): Promise<void> {
  const { name, attributes } = ctx.context.createAuthCookie(COOKIE, { maxAge: COOKIE_SECONDS });
  await ctx.setSignedCookie(name, email.trim().toLowerCase(), ctx.context.secret, attributes);
}

/**
 * After a confirmation link for `linkEmail` was followed: the session it made (none where someone
 * was signed in already) is ended unless this browser signed up with that address.
 */
export async function keepLinkSessionOnlyWhereSignedUp(
  ctx: HookContext,
  linkEmail: unknown,
  signedInBefore: boolean,
): Promise<void> {
  const made = ctx.context.newSession;
  if (!made || signedInBefore) return;
  const confirming = await ctx.getSignedCookie(ctx.context.createAuthCookie(COOKIE).name, ctx.context.secret);
  if (typeof linkEmail === "string" && confirming === linkEmail.toLowerCase()) return;
  await ctx.context.internalAdapter.deleteSession(made.session.token);
  deleteSessionCookie(ctx);
  ctx.context.setNewSession(null);
}
