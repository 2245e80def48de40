import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./auth";
import { readOrShowUnavailable } from "./unavailable";

/** For a page: the signed-in user of this request, or null (the database down: off to /unavailable). */
export async function currentSession() {
  const requestHeaders = await headers();
  return readOrShowUnavailable(requestHeaders, () => readSession(requestHeaders));
}

/** For a server action, which answers a failure in place: the signed-in user, or null; throws what the database threw. */
export async function readSession(requestHeaders: Headers) {
  return getAuth().api.getSession({ headers: requestHeaders });
}
