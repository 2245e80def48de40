/**
 * The person's sign-in sessions for the account page, read on the server and
 * scoped to them. A session's token (its cookie value) never leaves this
 * module: the page gets ids, devices in words and times only, and a revoke
 * names the session by id.
 */
import "server-only";
import Bowser from "bowser";
import { headers } from "next/headers";
import { getAuth } from "./auth";
import { webDatabasePool } from "./database";

export interface SessionSummary {
  id: string;
  /** "Chrome 156 on Linux", in words. */
  device: string;
  ipAddress: string | null;
  signedInAt: string;
  lastActiveAt: string;
  current: boolean;
}

/** A user agent in words; "Unknown device" for what no browser sent. */
function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const { browser, os, platform } = Bowser.parse(userAgent);
  const name = browser.name ? `${browser.name}${browser.version ? ` ${browser.version.split(".")[0]}` : ""}` : "";
  const system = [os.name, platform.type === "mobile" || platform.type === "tablet" ? `(${platform.type})` : ""]
    .filter(Boolean)
    .join(" ");
  if (name && system) return `${name} on ${system}`;
  return name || system || "Unknown device";
}

/**
 * A session's address as people write it. Better Auth keeps an IPv6 client's /64 alone (what one home
 * or server is given: auth.ts, advanced.ipAddress), written out in full, "2001:0db8:0001:0002:0000:…":
 * shown in short, as that network, "2001:db8:1:2::/64". An IPv4 address is shown as it is.
 */
export function shownAddress(stored: string): string {
  const groups = stored.split(":");
  if (groups.length !== 8 || !groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return stored;
  // The URL standard writes an IPv6 host in RFC 5952's short form.
  const short = new URL(`http://[${stored}]/`).hostname.slice(1, -1);
  return groups.slice(4).every((group) => Number.parseInt(group, 16) === 0) ? `${short}/64` : short;
}

export async function listSessionsOfUser(userId: string, currentSessionId: string): Promise<SessionSummary[]> {
  const { rows } = await webDatabasePool().query<{
    id: string;
    user_agent: string | null;
    ip_address: string | null;
    created_at: Date;
    updated_at: Date;
  }>(
    `SELECT id, user_agent, ip_address, created_at, updated_at FROM sessions
     WHERE user_id = $1 AND expires_at > now() ORDER BY updated_at DESC`,
    [userId],
  );
  return rows.map((row) => ({
    id: row.id,
    device: describeDevice(row.user_agent),
    ipAddress: row.ip_address && shownAddress(row.ip_address),
    signedInAt: row.created_at.toISOString(),
    lastActiveAt: row.updated_at.toISOString(),
    current: row.id === currentSessionId,
  }));
}

/** Ends one of this user's sessions through Better Auth (which needs its token; we look it up here). */
export async function revokeSessionOfUser(userId: string, sessionId: string): Promise<void> {
  const { rows } = await webDatabasePool().query<{ token: string }>(
    "SELECT token FROM sessions WHERE id = $1 AND user_id = $2",
    [sessionId, userId],
  );
  const token = rows[0]?.token;
  if (!token) return; // already gone: the outcome the person asked for
  await getAuth().api.revokeSession({ body: { token }, headers: await headers() });
}
