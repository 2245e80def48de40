/**
 * A password-reset link's token, read for whose account it resets while it
 * still works: Better Auth keeps `reset-password:<token>` → the user's id for
 * an hour and deletes it once used. The reset page lists that account's
 * passkeys (a new password does not stop one), and the reset removes all but
 * those the person keeps.
 */
import "server-only";
import { isUuid } from "@tasks/task-schema";
import { webDatabasePool } from "./database";

/** The id of the account a reset link resets, or null when the link has expired, been used or never was. */
export async function accountOfResetLink(token: string): Promise<string | null> {
  if (!token) return null;
  const { rows } = await webDatabasePool().query<{ value: string }>(
    "SELECT value FROM verifications WHERE identifier = $1 AND expires_at > now()",
    [`reset-password:${token}`],
  );
  return rows[0]?.value ?? null;
}

/**
 * Before a reset, the passkeys of its account that the person did not keep (`kept`: their ids; any
 * other value in it keeps nothing): they go first, so a failure here changes nothing (the link still
 * works). Should the reset then fail, they are gone all the same, as asked; the person tries the
 * link again.
 */
export async function removePasskeysOfResetAccount(token: string, kept: unknown[]): Promise<void> {
  const userId = await accountOfResetLink(token);
  if (!userId) return;
  const keptIds = kept.filter((id): id is string => typeof id === "string" && isUuid(id));
  await webDatabasePool().query("DELETE FROM passkeys WHERE user_id = $1 AND id <> ALL($2::uuid[])", [userId, keptIds]);
}
