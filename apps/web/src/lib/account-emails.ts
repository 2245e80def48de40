/**
 * The words of every account email: each names what happened, carries the
 * link (on BETTER_AUTH_URL) when there is one, and says what to do if it was
 * not the reader.
 */
import "server-only";
import type { AccountEmail } from "./email";

const SIGNATURE = "— Tasks";

function message(to: string, subject: string, lines: string[]): AccountEmail {
  return { to, subject, text: `${lines.join("\n\n")}\n\n${SIGNATURE}\n` };
}

export function verifyEmailMessage(to: string, url: string): AccountEmail {
  return message(to, "Confirm your email address for Tasks", [
    "Hello,",
    "Please confirm that this is your email address: open this link and press Confirm.",
    url,
    "The link works for one hour.",
    "If you did not create a Tasks account or ask for this, ignore this email: nothing happens without the link.",
  ]);
}

/**
 * `account`: the address the account has now. Anyone can send this to any address, and its link moves
 * the account that asked: named, so that no one confirms a stranger's account onto their address.
 */
export function confirmNewEmailMessage(to: string, account: string, url: string): AccountEmail {
  return message(to, "Confirm your new email address for Tasks", [
    "Hello,",
    `The Tasks account of ${account} asked to change its email address to this one. To confirm the change, open this link and press Confirm:`,
    url,
    "The link works for one hour.",
    "If this wasn't you, ignore this email: the account keeps its current address.",
  ]);
}

export function emailChangeRequestedMessage(to: string, newEmail: string, origin: string): AccountEmail {
  return message(to, "Your Tasks email address is about to change", [
    "Hello,",
    `Someone signed in to your Tasks account asked to change its email address to ${newEmail}. The change happens only when the link sent to that address is opened, within an hour.`,
    `If this wasn't you, whoever asked knows your password: sign in at ${origin}/sign-in, change your password and sign out every other device on the account page (${origin}/account). The new password also stops the change.`,
    `If it was you and you no longer want it, choose "Cancel the change" on that page.`,
  ]);
}

export function resetPasswordMessage(to: string, url: string): AccountEmail {
  return message(to, "Reset your Tasks password", [
    "Hello,",
    "Someone asked to reset the password of the Tasks account for this address. To choose a new password, open this link:",
    url,
    "The link works once, for one hour. Resetting signs out every device signed in to the account.",
    "If this wasn't you, ignore this email: your password stays as it is.",
  ]);
}

export function passwordChangedMessage(to: string, otherDevicesSignedOut: boolean, origin: string): AccountEmail {
  return message(to, "Your Tasks password was changed", [
    "Hello,",
    `The password of your Tasks account was changed from its account page${otherDevicesSignedOut ? ", and every other device was signed out" : ""}.`,
    `If this wasn't you, someone signed in to your account knew your password: choose a new one with "Forgot password?" at ${origin}/sign-in (the link comes to this address; it signs out every device), then check your account page (${origin}/account): its email address, two-factor sign-in and passkeys.`,
  ]);
}

export function twoFactorUndoneMessage(to: string, origin: string): AccountEmail {
  return message(to, "Two-factor sign-in was turned off for your Tasks account", [
    "Hello,",
    "Two-factor sign-in was turned off with the link in the email that said it was turned on, and the password was changed with it. Every device was signed out.",
    `If this wasn't you, someone reads this mailbox: secure it, then choose a new password with "Forgot password?" at ${origin}/sign-in and turn two-factor sign-in on again on your account page.`,
  ]);
}

export function existingAccountSignUpMessage(to: string, origin: string): AccountEmail {
  return message(to, "Someone tried to sign up to Tasks with your address", [
    "Hello,",
    "Someone tried to create a Tasks account with this email address, which already has one. No new account was made.",
    `If it was you, sign in at ${origin}/sign-in; if you forgot your password, use "Forgot password?" there.`,
    "If this wasn't you, there is nothing to do: your account is unchanged.",
  ]);
}

export function addressTakenMessage(to: string, origin: string): AccountEmail {
  return message(to, "Someone tried to move a Tasks account to your address", [
    "Hello,",
    "Someone signed in to a Tasks account asked to change its email address to this one, which already has an account. Nothing was changed.",
    `If it was you, sign in to this address's own account at ${origin}/sign-in; an address can belong to one account only.`,
    "If this wasn't you, there is nothing to do: your account is unchanged.",
  ]);
}

export function passkeyAddedMessage(to: string, name: string, origin: string): AccountEmail {
  return message(to, "A passkey was added to your Tasks account", [
    "Hello,",
    `A passkey named "${name}" was added to your Tasks account. It signs in without your password.`,
    `If this wasn't you, sign in at ${origin}/sign-in, remove the passkey and change your password on the account page (${origin}/account), and sign out every other device there.`,
  ]);
}

/** A change to the account's second factor, as its email names it. */
export type TwoFactorChange = "on" | "off" | "new-backup-codes";

const TWO_FACTOR_CHANGES: Record<TwoFactorChange, { subject: string; what: string }> = {
  on: {
    subject: "Two-factor sign-in is on for your Tasks account",
    what: "Two-factor sign-in was turned on for your Tasks account: a sign-in with the password now also asks for a code from an authenticator app.",
  },
  off: {
    subject: "Two-factor sign-in is off for your Tasks account",
    what: "Two-factor sign-in was turned off for your Tasks account: the password alone signs in again.",
  },
  "new-backup-codes": {
    subject: "New backup codes for your Tasks account",
    what: "New backup codes were made for your Tasks account's two-factor sign-in. The old ones no longer work.",
  },
};

export function twoFactorChangedMessage(
  to: string,
  change: TwoFactorChange,
  origin: string,
  undo: { link: string; days: number } | null = null,
): AccountEmail {
  const { subject, what } = TWO_FACTOR_CHANGES[change];
  if (undo) {
    // Turned on by whoever knows the password, it would shut the owner out for good (a reset asks for a
    // code too): the way back comes first, where a mail app shows the link.
    return message(to, subject, [
      "Hello,",
      what,
      `If this wasn't you, whoever did it knows your password, and you can no longer sign in without their code. To turn it off, choose a new password and sign every device out, open this link within ${undo.days} days:`,
      undo.link,
      "If it was you, there is nothing to do, but keep this email to yourself: for those days its link turns two-factor sign-in off (until you turn it off or set it up again yourself).",
    ]);
  }
  return message(to, subject, [
    "Hello,",
    what,
    `If this wasn't you, sign in at ${origin}/sign-in, change your password on the account page (${origin}/account), sign out every other device there, and check two-factor sign-in and your passkeys.`,
  ]);
}
