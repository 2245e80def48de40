/**
 * `npm run start:web` builds the web app when its production build is missing
 * or older than what it is built from (after a `git pull`, the old build would
 * go on serving the old pages against the new database schema). Run as a
 * script it builds when needed (`next build`, about a minute); `npm start`
 * imports `webBuildIsStale` and builds itself.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { isBuildStale } from "../../scripts/lib/freshness.mjs";

const webDir = import.meta.dirname;
const root = path.resolve(webDir, "../..");

/** What the build is made from: the app, the packages it imports, and the locked dependencies. */
const INPUTS = [
  "src",
  "public",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "../../packages",
  "../../package-lock.json",
].map((input) => path.resolve(webDir, input));

/** Whether the web app's production build is missing, or older than a file it is built from. */
export function webBuildIsStale() {
  return isBuildStale(path.join(webDir, ".next", "BUILD_ID"), INPUTS);
}

if (process.argv[1] === import.meta.filename && webBuildIsStale()) {
  console.log("[web] building the web app (its build is missing or older than its sources; about a minute)…");
  const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const build = spawnSync(process.execPath, [next, "build"], { cwd: webDir, stdio: "inherit" });
  process.exit(build.status ?? 1);
}
