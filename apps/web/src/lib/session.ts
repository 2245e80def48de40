import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./auth";

/** The signed-in user of this request, or null. */
export async function currentSession() {
  return getAuth().api.getSession({ headers: await headers() });
}

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value && /^\/(?![/\\])/.test(value) ? value : "/tasks";
}
