"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { link } from "./styles";

/** "Sign in again", to sign-in and back to the page it is on (a session that ended under that page). */
export function SignInAgainLink() {
  const here = usePathname();
  return (
    <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className={link}>
      Sign in again
    </Link>
  );
}
