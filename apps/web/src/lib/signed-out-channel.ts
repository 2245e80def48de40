"use client";
import { forgetKeptSearches } from "./kept-search";

/** How one tab tells the others that this browser is signed out (they follow at once). */
const AUTH_CHANNEL = "tasks:auth";

/** This tab said it: it is leaving on its own way (the sign-in page, the deleted account's page). */
let announcedHere = false;

export function announceSignedOut(): void {
  announcedHere = true;
  forgetKeptSearches();
  // Every caller then leaves the page; one brought back from the back-forward cache listens again.
  window.addEventListener(
    "pageshow",
    () => {
      announcedHere = false;
    },
    { once: true },
  );
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.postMessage("signed-out");
  channel.close();
}

/**
 * Calls `onSignedOut` when another tab says this browser is signed out; returns the stop. (A tab
 * hears its own message too, on another channel object: that one is not passed on.)
 */
export function listenForSignOutElsewhere(onSignedOut: () => void): () => void {
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.onmessage = (event) => {
    if (event.data !== "signed-out" || announcedHere) return;
    forgetKeptSearches(); // this tab's own
    onSignedOut();
  };
  return () => channel.close();
}
