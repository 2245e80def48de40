/**
 * The one way account emails leave the web app: SMTP through nodemailer
 * (`SMTP_URL`, `EMAIL_FROM`), or, in development without `SMTP_URL`, the
 * console (subject, recipient and text with its link), so a person on a fresh
 * machine can still verify and reset.
 *
 * Sending never holds up or breaks the request that wanted the email: it is
 * started and left to finish on its own, with short timeouts, and a failure
 * (server down, slow or refusing) is logged, never thrown: a rejected promise
 * left alone would be an unhandled rejection, which ends a Node process.
 *
 * Some emails anyone can have sent to any address: a reset link, a sign-up's
 * confirmation or "you have an account already", a change of address's
 * confirmation or "that address is taken". The per-client limits on the
 * endpoints do not stop many clients from filling one inbox with them, so an
 * address (its `+tag` left out) gets at most UNASKED_PER_HOUR of those an
 * hour, and past that one of each kind every 15 minutes: a flood cannot keep
 * its owner from a reset link or a confirmation for longer (any link that
 * reaches the inbox works for the owner). A confirmation of a new address is
 * the exception: its link moves the account that asked, so that one of a
 * kind is counted for each account, or one account asking again and again
 * would keep another's change from the inbox; four accounts' at most. The rest are not sent (logged). The
 * answer to the request is the same either way: it must not tell who has an
 * account. Notices of what happened to an account (password changed, passkey
 * added, ...) always go: only the account's own steps send them, and a flood
 * of the others must not hide one.
 */
import "server-only";
import { loggableError } from "@tasks/db";
import nodemailer, { type Transporter } from "nodemailer";
import { webConfig } from "./config";
import { countInFixedWindow } from "./rate-limit-store";

export interface AccountEmail {
  to: string;
  subject: string;
  /** The whole message as plain text: what happened, the link, what to do if it was not them. */
  text: string;
}

/** Emails anyone can ask for that one address gets in an hour at most (a person needs a few). */
export const UNASKED_PER_HOUR = 10;
/** Past the hour's ten, one of each kind still goes this often. */
const ONE_OF_A_KIND_EVERY_MS = 15 * 60_000;
/** Of a kind whose link acts on the account that asked (a new address's confirmation): one for each, this many in all. */
const ACCOUNTS_OF_A_KIND = 4;

/** The kinds of email anyone can ask for (see above). */
export type UnaskedKind = "reset" | "confirm" | "account-exists" | "confirm-new-address" | "address-taken";

let transport: Transporter | undefined;

/**
 * Whether mail to this server may go in the clear: only to this machine. Elsewhere `smtp://` must
 * upgrade with STARTTLS (requireTLS), or anyone on the way who strips the server's offer would
 * read the SMTP password and every reset link. (`?requireTLS=false` in the URL says otherwise.)
 */
function mayGoInTheClear(smtpUrl: string): boolean {
  const { protocol, hostname } = new URL(smtpUrl);
  if (protocol !== "smtp:") return true; // smtps: TLS from the start
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function smtpTransport(smtpUrl: string): Transporter {
  transport ??= nodemailer.createTransport({
    url: smtpUrl,
    requireTLS: !mayGoInTheClear(smtpUrl),
    // A mail server that does not answer costs a few seconds of a background send, not a hung request.
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  return transport;
}

/**
 * Starts sending and returns at once; the outcome is logged. `anyoneCanAsk`: the kind of an email
 * that someone other than the address's owner may have asked for (see above), counted toward its
 * limit; `forAccount`: the account its link acts on, where that is not the address owner's.
 */
export function sendAccountEmail(
  email: AccountEmail,
  { anyoneCanAsk, forAccount }: { anyoneCanAsk?: UnaskedKind; forAccount?: string } = {},
): void {
  const unasked = anyoneCanAsk && { kind: anyoneCanAsk, forAccount };
  void deliver(email, unasked).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[email] could not send "${email.subject}" to ${email.to}: ${reason}`);
  });
}

async function deliver(email: AccountEmail, unasked: UnaskedEmail | undefined): Promise<void> {
  if (unasked && !(await withinUnaskedLimit(email.to, unasked))) {
    console.warn(
      `[email] not sent: "${email.subject}" to ${email.to}, which had ${UNASKED_PER_HOUR} emails anyone can ask for within the hour, and one of this kind within 15 minutes`,
    );
    return;
  }
  const { smtpUrl, emailFrom } = webConfig();
  if (!smtpUrl) {
    console.log(
      `[email] (development: no SMTP_URL, so printed here instead of sent)\nTo: ${email.to}\nSubject: ${email.subject}\n\n${email.text}\n`,
    );
    return;
  }
  await smtpTransport(smtpUrl).sendMail({ from: emailFrom, to: email.to, subject: email.subject, text: email.text });
}

/** An email anyone can ask for: its kind, and the account its link acts on where that is not the owner's. */
interface UnaskedEmail {
  kind: UnaskedKind;
  forAccount?: string;
}

/**
 * Counts one more email anyone can ask for to `address`, and whether it may go. When it cannot be
 * counted (the database is down) it goes: the limit guards inboxes, not the product.
 */
async function withinUnaskedLimit(address: string, { kind, forAccount }: UnaskedEmail): Promise<boolean> {
  const mailbox = mailboxOf(address);
  try {
    if ((await countInFixedWindow(`email:${mailbox}`, 60 * 60_000, UNASKED_PER_HOUR)).allowed) return true;
    if (!forAccount) return (await countInFixedWindow(`email:${kind}:${mailbox}`, ONE_OF_A_KIND_EVERY_MS, 1)).allowed;
    // One for each account that asks, so that one asking again and again does not take another's;
    // and a few across them all, so that many accounts do not fill the inbox instead.
    if (!(await countInFixedWindow(`email:${kind}:${forAccount}:${mailbox}`, ONE_OF_A_KIND_EVERY_MS, 1)).allowed) {
      return false;
    }
    return (await countInFixedWindow(`email:${kind}:${mailbox}`, ONE_OF_A_KIND_EVERY_MS, ACCOUNTS_OF_A_KIND)).allowed;
  } catch (error) {
    console.error(`[email] could not count the emails to ${address}; sent uncounted:`, loggableError(error));
    return true;
  }
}

/**
 * The inbox an address reaches: lower case, without a `+tag` (which most providers deliver to the
 * same one), and for Gmail without dots in the name and under one domain (it delivers
 * `a.da@googlemail.com` to `ada@gmail.com`).
 */
function mailboxOf(address: string): string {
  const at = address.lastIndexOf("@");
  let local = (address.slice(0, at).split("+")[0] ?? "").toLowerCase();
  let domain = address.slice(at + 1).toLowerCase();
  if (domain === "gmail.com" || domain === "googlemail.com") {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  return `${local}@${domain}`;
}
