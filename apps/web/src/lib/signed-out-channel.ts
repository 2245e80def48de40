"use client";
import { forgetKeptSearches } from "./kept-search";

/** How one tab tells the others that this browser is signed out (they follow at once). */
const AUTH_CHANNEL = "tasks:auth";

/**
 * Why this browser is signed out: a sign-out, after which the person may sign in again and find
 * what they had typed; or their account deleted, of which nothing is kept.
 */
export type SignedOutBecause = "signed-out" | "account-deleted";

/** Where a deleted account's tabs go, the one that deleted it and the others. */
export const DELETED_ACCOUNT_PAGE = "/sign-up?deleted=1";

/** This tab said it: it is leaving on its own way (the sign-in page, the deleted account's page). */
let announcedHere = false;

export function announceSignedOut(because: SignedOutBecause = "signed-out"): void {
  announcedHere = true;
  forgetOnSignOut(because);
  // Every caller then leaves the page; one brought back from the back-forward cache listens again.
  window.addEventListener(
    "pageshow",
    () => {
      announcedHere = false;
    },
    { once: true },
  );
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.postMessage(because);
  channel.close();
}

/**
 * Calls `onSignedOut` when another tab says this browser is signed out; returns the stop. (A tab
 * hears its own message too, on another channel object: that one is not passed on.)
 */
export function listenForSignOutElsewhere(onSignedOut: (because: SignedOutBecause) => void): () => void {
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.onmessage = (event) => {
    if ((event.data !== "signed-out" && event.data !== "account-deleted") || announcedHere) return;
    forgetOnSignOut(event.data); // this tab's own
    onSignedOut(event.data);
  };
  return () => channel.close();
}

/**
 * What a tab forgets when its browser is signed out: the searches; with the account gone, all
 * the app kept in the tab (every key of it starts with `tasks:`), what was typed and not made too.
 */
function forgetOnSignOut(because: SignedOutBecause): void {
  if (because === "signed-out") {
    forgetKeptSearches();
    return;
  }
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("tasks:")) sessionStorage.removeItem(key);
  }
}
