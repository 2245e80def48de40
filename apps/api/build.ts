/**
 * Bundles the Task API into one ES module (dist/server.mjs) that plain Node
 * runs: our workspace packages (TypeScript sources) are compiled in, every
 * npm dependency stays an ordinary import. Running the bundle instead of tsx
 * saves about 40 MB of memory per process and all start-up compilation.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;

const result = await build({
  entryPoints: [path.join(here, "src/server.ts")],
  outfile: path.join(here, "dist/server.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  // Written below, each file whole: API processes starting meanwhile (several `npm run start:api`
  // at once, each building first when the bundle is stale) read the old bundle or the new one,
  // never half of one.
  write: false,
  plugins: [
    {
      name: "keep-npm-packages-external",
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@tasks/") ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
for (const file of result.outputFiles) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  const partial = `${file.path}.${process.pid}.partial`;
  writeFileSync(partial, file.contents);
  renameSync(partial, file.path);
}
console.log(`built ${path.relative(process.cwd(), path.join(here, "dist/server.mjs"))}`);
