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
 */
import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { webConfig } from "./config";

export interface AccountEmail {
  to: string;
  subject: string;
  /** The whole message as plain text: what happened, the link, what to do if it was not them. */
  text: string;
}

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

/** Starts sending and returns at once; the outcome is logged. */
export function sendAccountEmail(email: AccountEmail): void {
  const { smtpUrl, emailFrom } = webConfig();
  if (!smtpUrl) {
    console.log(
      `[email] (development: no SMTP_URL, so printed here instead of sent)\nTo: ${email.to}\nSubject: ${email.subject}\n\n${email.text}\n`,
    );
    return;
  }
  void smtpTransport(smtpUrl)
    .sendMail({ from: emailFrom, to: email.to, subject: email.subject, text: email.text })
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`[email] could not send "${email.subject}" to ${email.to}: ${reason}`);
    });
}
