/**
 * An emailed link's request (/verify-email) as the auth hooks see it: what
 * its token claims, where its browser lands, whether it is for another
 * account than the one signed in; and what a change of address tells the
 * addresses involved.
 */
import "server-only";
import { loggableError } from "@tasks/db";
import { addressTakenMessage, emailChangeRequestedMessage } from "./account-emails";
import type { HookContext } from "./auth-hook-context";
import { webConfig } from "./config";
import { webDatabasePool } from "./database";
import { sendAccountEmail } from "./email";
import { signInAfterLink } from "./link-landing";
import { type LinkClaims, unverifiedLinkClaims } from "./link-token";
import { readSessionOrThrow } from "./session-read";

/** Whether a sign-up's confirmation link (not a change of address's) names another address than the account signed in. */
export async function confirmsAnotherAccount(ctx: HookContext): Promise<boolean> {
  if (!ctx.getCookie(ctx.context.authCookies.sessionToken.name)) return false;
  const claims = linkClaims(ctx);
  if (typeof claims.email !== "string" || claims.updateTo !== undefined) return false;
  const signedIn = await readSessionOrThrow(ctx);
  return signedIn !== null && signedIn.user.email.toLowerCase() !== claims.email.toLowerCase();
}

/**
 * Where a /verify-email request that ends at `landing` sends its browser: there when someone is
 * signed in or the link signed them in, else to sign in, told what the link did (link-landing.ts).
 */
export async function landingOfLink(ctx: HookContext, landing: string): Promise<string> {
  if (ctx.context.newSession || (await readSessionOrThrow(ctx))) return landing;
  return `${webConfig().baseUrl}${signInAfterLink(landing, linkClaims(ctx))}`;
}

/** What a /verify-email request's token says, unchecked (Better Auth checks it, or has refused it). */
export function linkClaims(ctx: HookContext): LinkClaims {
  return unverifiedLinkClaims(ctx.query?.token);
}

/**
 * After a change of address was asked for: the old address is told, and an
 * address that has an account of its own hears that nothing changed. Better
 * Auth sends a taken address no link and calls no hook of ours for it, so
 * telling the old address from its hook would tell a person watching their
 * own inbox which addresses have accounts. Here both cases send the same to
 * the person, and cost the same query.
 */
export async function tellOfChangeOfAddress(currentEmail: string, newEmail: string): Promise<void> {
  const origin = webConfig().baseUrl;
  sendAccountEmail(emailChangeRequestedMessage(currentEmail, newEmail, origin));
  try {
    const taken = await webDatabasePool().query("SELECT 1 FROM users WHERE email = $1", [newEmail]);
    if (taken.rowCount) sendAccountEmail(addressTakenMessage(newEmail, origin), { anyoneCanAsk: "address-taken" });
  } catch (error) {
    // The change was asked for and its link is on its way: only this courtesy email is lost.
    console.error("[email] could not tell whether the new address has an account:", loggableError(error));
  }
}
