import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./auth";
import { readOrShowUnavailable } from "./unavailable";

/** The signed-in user of this request, or null (the database down: off to /unavailable). */
export async function currentSession() {
  const requestHeaders = await headers();
  return readOrShowUnavailable(requestHeaders, () => getAuth().api.getSession({ headers: requestHeaders }));
}
