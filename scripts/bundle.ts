/**
 * The single-file build: the CLI (and the worker of `check --jobs`) as self-contained ES modules with
 * the two wasm files beside them, for the Python wheel (flake8-eventlet-review/) and anywhere without
 * node_modules. Usage: node --import tsx scripts/bundle.ts [OUTDIR]  (default: dist-bundle/)
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const outdir = resolve(process.argv[2] ?? "dist-bundle");
const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
const require = createRequire(import.meta.url);

mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { "eventlet-review": "src/cli/entry.ts", worker: "src/cli/worker.ts" },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  define: { EVENTLET_REVIEW_BUNDLED_VERSION: JSON.stringify(version) },
  // Some dependencies are CommonJS and call require(): give the ES module one.
  banner: { js: "import { createRequire as __erRequire } from 'node:module'; const require = __erRequire(import.meta.url);" },
  legalComments: "external",
  logLevel: "warning",
});
for (const wasm of ["web-tree-sitter/web-tree-sitter.wasm", "tree-sitter-python/tree-sitter-python.wasm"]) {
  copyFileSync(require.resolve(wasm), join(outdir, wasm.split("/")[1]));
}
// ES modules with .js names, so that pool.ts finds ./worker.js beside the CLI as it does in dist/.
writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "module", version }, null, 2)}\n`);
// The Python distribution takes its version from here: package.json stays the one place it is written.
writeFileSync(join(outdir, "VERSION"), `${version}\n`);
process.stdout.write(`bundled eventlet-review ${version} into ${outdir}\n`);
