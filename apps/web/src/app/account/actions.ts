"use server";
import { isDatabaseUnavailable } from "@tasks/db";
import { isUuid } from "@tasks/task-schema";
import { headers } from "next/headers";
import { revokeSessionOfUser } from "@/lib/account-sessions";
import { cancelChangeOfAddress } from "@/lib/change-email-links";
import { readSession } from "@/lib/session";

/**
 * "Sign out" on one session of the list; the signed-in person can end only
 * their own. A failure is answered to the section, which says so in place
 * (a page's way, /unavailable, would take the person off the account page).
 */
export async function revokeSession(sessionId: string): Promise<{ ok: true } | { ok: false; reason: RevokeFailure }> {
  try {
    const session = await readSession(await headers());
    if (!session) return { ok: false, reason: "signed-out" };
    if (typeof sessionId !== "string" || !isUuid(sessionId)) return { ok: false, reason: "no-such-session" };
    await revokeSessionOfUser(session.user.id, sessionId.toLowerCase());
    return { ok: true };
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return { ok: false, reason: "unavailable" };
  }
}

/** Nobody signed in; an id that names no session (only a hand-made request sends one); the database did not answer. */
export type RevokeFailure = "signed-out" | "no-such-session" | "unavailable";

/**
 * "Cancel the change" of a change of address waiting for its link: the address it was going to,
 * or null when none was waiting any more (made, expired or cancelled meanwhile, elsewhere).
 */
export async function cancelChangeOfAddressOfSession(): Promise<
  { ok: true; cancelled: string | null } | { ok: false; reason: "signed-out" | "unavailable" }
> {
  try {
    const session = await readSession(await headers());
    if (!session) return { ok: false, reason: "signed-out" };
    return { ok: true, cancelled: await cancelChangeOfAddress(session.user.id) };
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return { ok: false, reason: "unavailable" };
  }
}
