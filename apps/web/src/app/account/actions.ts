"use server";
import { isUuid } from "@tasks/task-schema";
import { revokeSessionOfUser } from "@/lib/account-sessions";
import { currentSession } from "@/lib/session";

/** "Sign out" on one session of the list; the signed-in person can end only their own. */
export async function revokeSession(sessionId: string): Promise<{ ok: boolean }> {
  const session = await currentSession();
  if (!session || typeof sessionId !== "string" || !isUuid(sessionId)) return { ok: false };
  await revokeSessionOfUser(session.user.id, sessionId.toLowerCase());
  return { ok: true };
}
