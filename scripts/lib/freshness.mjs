/**
 * Whether a build is older than what it is built from: `npm start` and
 * `npm run start:web` build again after a `git pull` instead of serving the old
 * code against the new database schema. Plain JavaScript, so that the web
 * app's start script (plain Node) and the launcher (TypeScript) share it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";

/** The newest modification time (ms) of `file` or anything under it, node_modules and builds left out. */
function newestChange(file) {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(file)) {
    if (entry === "node_modules" || entry === "dist" || entry === ".next") continue;
    newest = Math.max(newest, newestChange(`${file}/${entry}`));
  }
  return newest;
}

/** Whether `builtFile` is missing or older than a file of `inputs` (files or folders, absolute paths). */
export function isBuildStale(builtFile, inputs) {
  if (!existsSync(builtFile)) return true;
  const built = statSync(builtFile).mtimeMs;
  return inputs.some((input) => newestChange(input) > built);
}
