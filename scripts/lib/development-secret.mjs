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
