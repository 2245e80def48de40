"use client";
import { authClient } from "./auth-client";
import { describeAuthError, NO_ANSWER_TEXT, SERVER_NO_ANSWER } from "./auth-errors";
import { announceSignedOut } from "./signed-out-channel";
import { forgetTabKeys, KEPT_WORK } from "./tab-storage";

/**
 * Signs this browser out (the session of its cookie) and, once it is, tells
 * the other tabs and goes to the sign-in page: null then. Otherwise what to
 * say, rather than a sign-in page that would send a still signed-in person
 * straight back, on a computer they believe they have left. (A 401: the
 * session had ended already, which is what was asked.)
 */
export async function signOutThisBrowser(): Promise<string | null> {
  const { error: failure } = await authClient.signOut();
  if (failure && failure.status !== 401) {
    // No answer: the sign-out may have been made, or not.
    return failure.code === SERVER_NO_ANSWER
      ? `Could not tell whether you are signed out. ${NO_ANSWER_TEXT}`
      : `Could not sign out; you are still signed in. ${describeAuthError(failure)}`;
  }
  leaveSignedOut();
  return null;
}

/**
 * This browser is signed out, as the person asked: what this tab kept of their work (a draft, open
 * edits, left on the dashboard for the account page) goes with the session, the other tabs are
 * told (theirs keep it for the person's sign-in, as after a session ended under them), and this
 * one goes to sign in.
 */
export function leaveSignedOut(): void {
  forgetTabKeys(KEPT_WORK);
  announceSignedOut();
  window.location.assign("/sign-in");
}

/**
 * After a step that signed every device of an account out (a password reset, two-factor undone by
 * its emailed link): the tabs of this browser still showing that account (its tasks, its account
 * page) leave at once, as after a sign-out here. Not when this browser is signed in to another
 * account (someone else's reset on a shared computer), whose tabs go on, nor when that cannot be told.
 */
export async function tellTabsIfSignedOut(): Promise<void> {
  const { data, error } = await authClient.getSession();
  if (!data && !error) announceSignedOut();
}
