/**
 * RFC 6238 time-based one-time passwords, computed in the tests from the
 * secret an otpauth:// URI (or the account page's setup key) carries: what an
 * authenticator app does. Checked against the RFC's own vectors in
 * totp.test.ts, so a wrong helper cannot make a wrong product pass.
 */
import { createHmac } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (no padding needed; spaces and case ignored, as apps accept the key typed). */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index === -1) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

interface TotpOptions {
  digits?: number;
  period?: number;
  algorithm?: "sha1" | "sha256" | "sha512";
}

/** The code for the time step `counter` (RFC 4226 HOTP with dynamic truncation). */
function hotp(key: Buffer, counter: number, digits = 6, algorithm: TotpOptions["algorithm"] = "sha1"): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The code at `timeSeconds` (RFC 6238: counter = floor(T / period)). */
export function totp(key: Buffer, timeSeconds: number, options: TotpOptions = {}): string {
  const period = options.period ?? 30;
  return hotp(key, Math.floor(timeSeconds / period), options.digits ?? 6, options.algorithm ?? "sha1");
}

/** The code an authenticator app shows now, `stepsAgo` steps of 30 s back. */
export function currentCode(setupKey: string, stepsAgo = 0): string {
  return totp(base32Decode(setupKey), Date.now() / 1000 - stepsAgo * 30);
}

/** The time steps whose codes unusedCode gave out, by setup key. */
const given = new Map<string, Set<number>>();

/**
 * A right code that has not been used, as a person gets one: the product takes
 * each code once (RFC 6238 §5.2), so after the current step's code this gives
 * the next step's (accepted a step early), and after that waits for a new step.
 */
export async function unusedCode(setupKey: string): Promise<string> {
  const steps = given.get(setupKey) ?? new Set<number>();
  given.set(setupKey, steps);
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = [now, now + 1].find((candidate) => !steps.has(candidate));
    if (step !== undefined) {
      steps.add(step);
      return totp(base32Decode(setupKey), step * 30);
    }
    await new Promise((resolve) => setTimeout(resolve, (now + 1) * 30_000 - Date.now() + 50));
  }
}
