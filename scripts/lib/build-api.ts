import { execFileSync } from "node:child_process";
import path from "node:path";
import { isBuildStale, sharedBuildInputs } from "./freshness.mjs";

const root = path.resolve(import.meta.dirname, "../..");

/** Bundles the Task API into apps/api/dist/server.mjs (about a second), as `npm run build` does. */
export function buildApi(stdio: "inherit" | "ignore" = "inherit"): void {
  const apiDir = path.join(root, "apps/api");
  execFileSync(process.execPath, ["--import", "tsx", "build.ts"], { cwd: apiDir, stdio });
}

/** Whether the bundle is missing or older than what it is built from (after a `git pull`, say). */
export function apiBuildIsStale(): boolean {
  const own = ["apps/api/src", "apps/api/build.ts", "apps/api/package.json"].map((input) => path.join(root, input));
  return isBuildStale(path.join(root, "apps/api/dist/server.mjs"), [...own, ...sharedBuildInputs()]);
}
