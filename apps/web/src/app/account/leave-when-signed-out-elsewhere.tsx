"use client";
import { useEffect } from "react";
import { DELETED_ACCOUNT_PAGE, listenForSignOutElsewhere } from "@/lib/signed-out-channel";

/**
 * A sign-out in another tab takes this page to sign in at once: it shows the address, every
 * device's address, the passkeys and perhaps a setup key or backup codes, on a computer the person
 * believes they have left. (The task page leaves too, keeping what was typed for the same person.)
 * The account deleted in another tab takes it to the deleted account's page, as that tab went.
 */
export function LeaveWhenSignedOutElsewhere() {
  useEffect(
    () =>
      listenForSignOutElsewhere((because) =>
        window.location.replace(because === "account-deleted" ? DELETED_ACCOUNT_PAGE : "/sign-in?next=%2Faccount"),
      ),
    [],
  );
  return null;
}
