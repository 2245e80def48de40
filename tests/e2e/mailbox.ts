/**
 * A real SMTP server in the test process (`smtp-server`, from nodemailer's
 * authors) that the product sends its account emails to through SMTP_URL.
 * Tests wait for the message that arrived for an address and read its text
 * and its link, as a person would.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after } from "node:test";
import { SMTPServer } from "smtp-server";

export interface ReceivedEmail {
  to: string[];
  from: string;
  subject: string;
  /** The decoded text/plain body. */
  text: string;
  /** The first http(s) link in the text. */
  link: string | undefined;
}

export interface Mailbox {
  smtpUrl: string;
  /** The oldest email to `address` with a matching subject not yet handed out, waiting up to `timeoutMs`. */
  waitFor(address: string, subject: RegExp, timeoutMs?: number): Promise<ReceivedEmail>;
  /** Every email so far to this address. */
  to(address: string): ReceivedEmail[];
  /** While true, the server refuses every message (as a mail server that is down or refusing would). */
  refusing: boolean;
  /** While true, a new connection is never greeted (a mail server that hangs); the sender's timeout ends it. */
  stalling: boolean;
  /** Waits until `count` connections or messages in all have been stalled or refused. */
  waitForTurnedAway(count: number, timeoutMs?: number): Promise<void>;
  /** How many stalled connections the sender has given up on (closed) so far. */
  readonly stalledGivenUp: number;
}

/** The sender the tests' products use, as the emails' From shows it. */
export const TEST_EMAIL_FROM = "Tasks <no-reply@tasks.test>";

/** A product's email settings (its environment) for sending to `mailbox`, from TEST_EMAIL_FROM. */
export function mailedTo(mailbox: Mailbox): { SMTP_URL: string; EMAIL_FROM: string } {
  return { SMTP_URL: mailbox.smtpUrl, EMAIL_FROM: TEST_EMAIL_FROM };
}

/** A mail server for the tests, listening on `address` (this machine's loopback unless said otherwise). */
export async function startMailbox(address = "127.0.0.1"): Promise<Mailbox> {
  const received: ReceivedEmail[] = [];
  const state = { refusing: false, stalling: false, turnedAway: 0, stalledGivenUp: 0 };
  const stalled = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP: no certificate to make. The web app sends in the clear to this machine's loopback only.
    disabledCommands: ["STARTTLS"],
    logger: false,
    onConnect(session, callback) {
      if (!state.stalling) return callback();
      state.turnedAway++;
      stalled.add(session.id);
    },
    onClose(session) {
      if (stalled.delete(session.id)) state.stalledGivenUp++;
    },
    onMailFrom(_address, _session, callback) {
      if (state.refusing) state.turnedAway++;
      callback(state.refusing ? Object.assign(new Error("Service not available"), { responseCode: 421 }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push(parseMessage(Buffer.concat(chunks).toString("utf8"), session.envelope));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.server.address() as AddressInfo).port;

  const to = (address: string) => received.filter((email) => email.to.includes(address.toLowerCase()));
  return {
    smtpUrl: `smtp://${address}:${port}`,
    to,
    get refusing() {
      return state.refusing;
    },
    set refusing(value: boolean) {
      state.refusing = value;
    },
    get stalling() {
      return state.stalling;
    },
    get stalledGivenUp() {
      return state.stalledGivenUp;
    },
    set stalling(value: boolean) {
      state.stalling = value;
    },
    async waitForTurnedAway(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.turnedAway < count) {
        assert.ok(Date.now() < deadline, `the product sent ${state.turnedAway} of ${count} expected emails`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async waitFor(address, subject, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      // Oldest first; each email is handed out once, so the next call waits for a newer one.
      for (;;) {
        const match = to(address).find((email) => subject.test(email.subject) && !consumed.has(email));
        if (match) {
          consumed.add(match);
          return match;
        }
        assert.ok(Date.now() < deadline, `no email matching ${subject} reached ${address}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Emails a test has already taken with waitFor, so the next waitFor returns a newer one. */
const consumed = new WeakSet<ReceivedEmail>();

function parseMessage(raw: string, envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] }) {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = rest.join("\n\n");
  const encoding = headers.get("content-transfer-encoding")?.toLowerCase();
  const text =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
      : encoding === "quoted-printable"
        ? decodeQuotedPrintable(body)
        : body;
  assert.match(headers.get("content-type") ?? "text/plain", /^text\/plain/, "a plain-text message");
  return {
    to: envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
    from: headers.get("from") ?? "",
    subject: decodeSubject(headers.get("subject") ?? ""),
    text,
    link: /https?:\/\/\S+/.exec(text)?.[0],
  };
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=), as nodemailer writes non-ASCII subjects. */
function decodeSubject(subject: string): string {
  return subject.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_match, kind: string, data: string) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(data, "base64").toString("utf8")
      : decodeQuotedPrintable(data.replace(/_/g, " ")),
  );
}
