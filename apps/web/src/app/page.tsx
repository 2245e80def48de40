import { redirect } from "next/navigation";
import { currentSession } from "@/lib/session";

export const dynamic = "force-dynamic";

/** Signed-in people go to their tasks; everyone else to sign in. */
export default async function Home() {
  redirect((await currentSession()) ? "/tasks" : "/sign-in");
}
