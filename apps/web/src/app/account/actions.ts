"use server";
import { isDatabaseUnavailable } from "@tasks/db";
import { isUuid } from "@tasks/task-schema";
import { headers } from "next/headers";
import { revokeSessionOfUser } from "@/lib/account-sessions";
import { cancelChangeOfAddress } from "@/lib/change-email-links";
import { readSession } from "@/lib/session";
import { withoutStatementParameters } from "@/lib/unavailable";

/**
 * The account page's actions answer their failures to the section, which says so in place (a
 * page's way, /unavailable, would take the person off the account page).
 */
type Failed<Reason extends string> = { ok: false; reason: Reason | "signed-out" | "unavailable" };

/** `act` for the person signed in: nobody signed in, and a database that did not answer, as failures. */
async function forSignedInPerson<T extends object, Reason extends string = never>(
  act: (userId: string) => Promise<T | Failed<Reason>>,
): Promise<T | Failed<Reason>> {
  try {
    const session = await readSession(await headers());
    if (!session) return { ok: false, reason: "signed-out" };
    return await act(session.user.id);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw withoutStatementParameters(error, "an account page's action");
    return { ok: false, reason: "unavailable" };
  }
}

/** "Sign out" on one session of the list; the signed-in person can end only their own. */
export async function revokeSession(sessionId: string): Promise<{ ok: true } | { ok: false; reason: RevokeFailure }> {
  return forSignedInPerson<{ ok: true }, "no-such-session">(async (userId) => {
    if (typeof sessionId !== "string" || !isUuid(sessionId)) return { ok: false, reason: "no-such-session" };
    await revokeSessionOfUser(userId, sessionId.toLowerCase());
    return { ok: true };
  });
}

/** Nobody signed in; an id that names no session (only a hand-made request sends one); the database did not answer. */
export type RevokeFailure = "signed-out" | "no-such-session" | "unavailable";

/**
 * "Cancel the change" of a change of address waiting for its link: the address it was going to,
 * or null when none was waiting any more (made, expired or cancelled meanwhile, elsewhere).
 */
export async function cancelChangeOfAddressOfSession(): Promise<
  { ok: true; cancelled: string | null } | Failed<never>
> {
  return forSignedInPerson(async (userId) => ({ ok: true as const, cancelled: await cancelChangeOfAddress(userId) }));
}
