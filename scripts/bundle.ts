/**
 * The single-file build: a command entry (and the worker of review/sandbox.ts) as self-contained ES
 * modules with the two wasm files beside them, for the Python wheel (flake8-eventlet-review/), the
 * released Action (scripts/release-action.ts) and anywhere without node_modules.
 * Usage: node --import tsx scripts/bundle.ts [OUTDIR]  (default: dist-bundle/)
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** Bundles `entries` (output name → source) into `outdir`; returns the version stamped into them. */
export async function bundle(outdir: string, entries: Record<string, string> = { "eventlet-review": "src/cli/entry.ts" }): Promise<string> {
  const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  mkdirSync(outdir, { recursive: true });
  await build({
    // The worker thread sits beside the entry, where review/sandbox.ts looks for it.
    entryPoints: { ...entries, "sandbox-worker": "src/review/sandbox-worker.ts" },
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    define: { EVENTLET_REVIEW_BUNDLED_VERSION: JSON.stringify(version) },
    // Some dependencies are CommonJS and call require(): give the ES module one.
    banner: { js: "import { createRequire as __erRequire } from 'node:module'; const require = __erRequire(import.meta.url);" },
    legalComments: "external",
    // The service's store (only `eventlet-review feedback` loads it, lazily) needs node_modules: a native
    // SQLite addon and the PostgreSQL driver do not fit in one file.
    external: ["better-sqlite3", "pg", "kysely"],
    logLevel: "warning",
  });
  for (const wasm of ["web-tree-sitter/web-tree-sitter.wasm", "tree-sitter-python/tree-sitter-python.wasm"]) {
    copyFileSync(require.resolve(wasm), join(outdir, wasm.split("/")[1]));
  }
  // ES modules with .js names, so that review/sandbox.ts finds ./sandbox-worker.js beside the entry as it does in dist/.
  writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "module", version }, null, 2)}\n`);
  // The Python distribution takes its version from here: package.json stays the one place it is written.
  writeFileSync(join(outdir, "VERSION"), `${version}\n`);
  return version;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outdir = resolve(process.argv[2] ?? "dist-bundle");
  process.stdout.write(`bundled eventlet-review ${await bundle(outdir)} into ${outdir}\n`);
}
