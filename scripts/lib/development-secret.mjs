/**
 * The development secret (`BETTER_AUTH_SECRET` when none is set, outside
 * production): made once into `<dataDir>/dev-secrets.json` (never in git) and
 * read from there after. `npm start` and the web app's `next dev` both go
 * through here. Never a constant: the secret also encrypts the token signing
 * keys kept in the database. Plain JavaScript, so that the launcher
 * (TypeScript) and the web app share it.
 */
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The secret kept in `dataDir`, made (and `log`ged) the first time. */
export function developmentSecret(dataDir, log) {
  const file = path.join(dataDir, "dev-secrets.json");
  const read = () => JSON.parse(readFileSync(file, "utf8")).BETTER_AUTH_SECRET;
  if (existsSync(file)) return read();
  mkdirSync(dataDir, { recursive: true });
  // Written whole under another name, then linked in place: of two processes making it at once, one
  // links (the other finds it there, EEXIST), and neither ever reads a file half written.
  const partial = `${file}.${process.pid}.partial`;
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(partial, `${JSON.stringify({ BETTER_AUTH_SECRET: secret }, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(partial, file);
    log(`created a development secret in ${file} (kept for next time; not for production)`);
  } catch (error) {
    if (error?.code !== "EEXIST") throw error;
  } finally {
    rmSync(partial, { force: true });
  }
  return read();
}

/** Better Auth's own fallback secret, published in its source: whoever reads it could sign sessions. */
const PUBLISHED_SECRETS = new Set(["better-auth-secret-12345678901234567890"]);

/**
 * What is wrong with a production `BETTER_AUTH_SECRET`, or null: missing, under 32 characters,
 * Better Auth's published default, or made of too few different characters to be random (under
 * 100 bits by Better Auth's own estimate, length × log2(distinct characters): 32 random base64 or
 * hex characters make 150 and 120-128, a word repeated to length far less).
 */
export function secretProblem(secret) {
  const generate = "(e.g. openssl rand -base64 32)";
  if (!secret || secret.length < 32) return `required in production, at least 32 characters ${generate}`;
  if (PUBLISHED_SECRETS.has(secret)) return `is Better Auth's published default secret: use a random one ${generate}`;
  if (secret.length * Math.log2(new Set(secret).size) < 100) {
    return `has too few different characters to be random: use a random one ${generate}`;
  }
  return null;
}
