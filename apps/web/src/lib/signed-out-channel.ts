"use client";
/** How one tab tells the others that this browser is signed out (they follow at once). */
export const AUTH_CHANNEL = "tasks:auth";

export function announceSignedOut(): void {
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.postMessage("signed-out");
  channel.close();
}
