import { execFileSync } from "node:child_process";
import path from "node:path";

/** Bundles the Task API into apps/api/dist/server.mjs (about a second), as `npm run build` does. */
export function buildApi(stdio: "inherit" | "ignore" = "inherit"): void {
  const apiDir = path.resolve(import.meta.dirname, "../../apps/api");
  execFileSync(process.execPath, ["--import", "tsx", "build.ts"], { cwd: apiDir, stdio });
}
