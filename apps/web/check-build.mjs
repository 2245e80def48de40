/**
 * `npm run start:web` checks the web app's production build before serving
 * it: missing or unfinished, it is built (`next build`, about a minute); older
 * than what it is built from (after a `git pull`), it is served with a
 * warning to run `npm run build`. Not rebuilt then: several `start:web` at
 * once would each start `next build` in the same folder, and one build
 * deletes the folder the others serve from. (`npm start`, one process,
 * rebuilds: scripts/lib/product.ts imports `webBuildIsStale`.) `npm run build`
 * runs it with `--build`: a build whatever there is.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isBuildStale, sharedBuildInputs } from "../../scripts/lib/freshness.mjs";

const webDir = import.meta.dirname;
const root = path.resolve(webDir, "../..");

/**
 * Written into the build's folder once `next build` has finished. Not Next.js's BUILD_ID: it is
 * written before the pages and manifests, so a build cut off (a Ctrl-C during the first `npm start`,
 * a container stopped) left one, and every start after served that broken build.
 */
export const BUILD_DONE_FILE = "tasks-build-done";
const buildDir = path.join(webDir, ".next");
const buildDone = path.join(buildDir, BUILD_DONE_FILE);

/** What the build is made from: the app, and what it shares with the API (packages, locked dependencies). */
const INPUTS = [
  ...["src", "public", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "package.json"].map((input) =>
    path.join(webDir, input),
  ),
  ...sharedBuildInputs(),
  // The secret's rules, which the app's configuration imports (lib/config.ts) and the launcher shares.
  path.join(root, "scripts", "lib", "development-secret.mjs"),
];

/** Whether the web app's production build (in `dir`) is missing, unfinished, or older than a file it is built from. */
export function webBuildIsStale(dir = buildDir) {
  return isBuildStale(path.join(dir, BUILD_DONE_FILE), INPUTS);
}

/** `next build` (about a minute), with `env`; throws if it fails. */
export function buildWeb(env = process.env) {
  rmSync(buildDone, { force: true });
  const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const build = spawnSync(process.execPath, [next, "build"], {
    cwd: webDir,
    stdio: "inherit",
    // A production build whatever the shell exports: the server runs as production, and Next.js 16's
    // build under NODE_ENV=development fails prerendering its error page.
    env: { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error(`next build failed (exit ${build.status ?? build.signal})`);
  writeFileSync(buildDone, `${new Date().toISOString()}\n`);
}

if (process.argv[1] === import.meta.filename) {
  // `npm run build` (--build) always builds; `start:web` when there is no finished build.
  const always = process.argv[2] === "--build";
  if (always || !existsSync(buildDone)) {
    if (!always) console.log("[web] building the web app (no finished production build yet; about a minute)…");
    try {
      buildWeb();
    } catch {
      process.exit(1);
    }
  } else if (webBuildIsStale()) {
    console.warn("[web] the production build is older than its sources: run `npm run build` to serve the new code");
  }
}
