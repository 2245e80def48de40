/**
 * Whether a build is older than what it is built from: `npm start` and
 * `npm run start:web` build again after a `git pull` instead of serving the old
 * code against the new database schema. Plain JavaScript, so that the web
 * app's start script (plain Node) and the launcher (TypeScript) share it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The newest modification time (ms) of the files at or under `file`: not of
 * folders (an editor's swap file coming and going would count), nor of
 * dotfiles, node_modules or builds.
 */
function newestChange(file) {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(file)) {
    if (entry.startsWith(".") || entry === "node_modules" || entry === "dist") continue;
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

/**
 * What both apps are built from outside their own folder: each workspace
 * package's sources and manifest (not its tests or migrations, which no build
 * reads), and the locked dependencies.
 */
export function sharedBuildInputs() {
  const packages = path.join(root, "packages");
  return [
    ...readdirSync(packages).flatMap((name) => [
      path.join(packages, name, "src"),
      path.join(packages, name, "package.json"),
    ]),
    path.join(root, "package-lock.json"),
  ];
}
