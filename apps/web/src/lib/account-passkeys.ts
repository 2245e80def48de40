/**
 * The person's passkeys for the account page, read on the server and scoped
 * to them: names and times only (a public key is no secret, but the page has
 * no use for it).
 */
import "server-only";
import { webDatabasePool } from "./database";

export interface PasskeySummary {
  id: string;
  name: string;
  addedAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeysOfUser(userId: string): Promise<PasskeySummary[]> {
  const { rows } = await webDatabasePool().query<{
    id: string;
    name: string | null;
    created_at: Date;
    last_used_at: Date | null;
  }>("SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at", [userId]);
  return rows.map((row) => ({
    id: row.id,
    name: row.name || "Passkey",
    addedAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  }));
}
