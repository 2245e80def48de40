"use client";
import { forgetKeptSearches } from "./kept-search";
import { forgetTabKeys } from "./tab-storage";

/** How one tab tells the others that this browser is signed out (they follow at once). */
const AUTH_CHANNEL = "tasks:auth";

/**
 * Why this browser is signed out: a sign-out, after which the person may sign in again and find
 * what they had typed; or their account deleted, of which nothing is kept.
 */
export type SignedOutBecause = "signed-out" | "account-deleted";

/** Where a deleted account's tabs go, the one that deleted it and the others. */
export const DELETED_ACCOUNT_PAGE = "/sign-up?deleted=1";

/**
 * This tab has followed a sign-out, its own or another tab's: it is leaving on its own way (the
 * sign-in page, the deleted account's page), and a message after the first is not followed again.
 */
let followed = false;
/** This tab's account is gone: nothing may be kept in it for a sign-in any more (keepingAllowed). */
let accountDeleted = false;

/** Whatever the tab is doing, nothing is kept for a sign-in once the account is gone. */
export function keepingAllowed(): boolean {
  return !accountDeleted;
}

export function announceSignedOut(because: SignedOutBecause = "signed-out"): void {
  follow(because);
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.postMessage(because);
  // Then as a sign-out, for tabs still running the app's version before "account-deleted" (open
  // across a deploy): they leave too. Tabs of this version follow the first message alone.
  if (because === "account-deleted") channel.postMessage("signed-out");
  channel.close();
}

/**
 * Calls `onSignedOut` when another tab says this browser is signed out; returns the stop. (A tab
 * hears its own message too, on another channel object: that one is not passed on.)
 */
export function listenForSignOutElsewhere(onSignedOut: (because: SignedOutBecause) => void): () => void {
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.onmessage = (event) => {
    if ((event.data !== "signed-out" && event.data !== "account-deleted") || followed) return;
    follow(event.data);
    onSignedOut(event.data);
  };
  return () => channel.close();
}

/**
 * What a tab forgets when its browser is signed out: the searches; with the account gone, all the
 * app kept in the tab (tab-storage.ts), what was typed and not made too.
 */
function follow(because: SignedOutBecause): void {
  followed = true;
  // Every caller then leaves the page; one brought back from the back-forward cache listens again.
  window.addEventListener(
    "pageshow",
    () => {
      followed = false;
    },
    { once: true },
  );
  if (because === "signed-out") {
    forgetKeptSearches();
    return;
  }
  accountDeleted = true;
  forgetTabKeys();
}
