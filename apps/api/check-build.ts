/**
 * `npm run start:api` checks the bundle before starting it: missing or older
 * than what it is built from (after a `git pull`), it is built (about a
 * second; several `start:api` at once is safe, build.ts renames each file into
 * place whole); otherwise nothing is written and it starts as it is.
 *
 * A checkout the process cannot write to (a read-only root filesystem, a
 * service user that does not own it) is not an error while there is a bundle:
 * an old one is started with a one-line warning. Without one, it exits 1
 * saying so, before build.ts would fail with EROFS or EACCES and a stack.
 */
import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import { apiBuildIsStale, buildApi } from "../../scripts/lib/build-api";

const apiDir = import.meta.dirname;
const root = path.resolve(apiDir, "../..");
const bundle = path.join(apiDir, "dist", "server.mjs");

/**
 * Why build.ts could not write its bundle (an errno code: EROFS, EACCES…), or
 * undefined when it can: it needs dist/, or the nearest folder above it that
 * exists, since it makes dist/ first.
 */
function writeProblem(): { folder: string; code: string } | undefined {
  let folder = path.dirname(bundle);
  while (!existsSync(folder)) folder = path.dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    return { folder: path.relative(root, folder) || ".", code: (error as NodeJS.ErrnoException).code ?? "" };
  }
}

if (apiBuildIsStale()) {
  const problem = writeProblem();
  const exists = existsSync(bundle);
  if (problem && exists) {
    console.warn(
      `[api] apps/api/dist/server.mjs is older than its sources, but ${problem.folder} cannot be written (${problem.code}): starting it as it is (run \`npm run build\` where it can be written to serve the new code)`,
    );
  } else if (problem) {
    console.error(
      `[api] there is no API bundle (apps/api/dist/server.mjs) and ${problem.folder} cannot be written (${problem.code}) to build one: run \`npm run build\` before starting, where the checkout can be written`,
    );
    process.exit(1);
  } else {
    console.log(`[api] building the Task API (its bundle is ${exists ? "older than its sources" : "missing"})…`);
    try {
      buildApi();
    } catch {
      // build.ts has said what went wrong.
      process.exit(1);
    }
  }
}
