/**
 * Bundled builds of the CLI, both ES modules with the two wasm files beside them:
 * - `bundle`: self-contained single files, a command entry and the worker of review/sandbox.ts, for
 *   the Python wheel (flake8-eventlet-review/), the released Action (scripts/release-action.ts) and
 *   anywhere without node_modules.
 * - `bundleCli`: what bin/eventlet-review.js runs, in dist/bundle/ (`npm run build`). Node resolves and
 *   compiles a few files instead of some 200 modules (zod alone is 226), which is most of a second run's
 *   time over a cached tree (docs/benchmark.md). Each command is a chunk loaded when it runs, and the
 *   service's packages stay in node_modules, where they find their own files.
 * Usage: node --import tsx scripts/bundle.ts [OUTDIR]  (default: dist-bundle/)
 *        node --import tsx scripts/bundle.ts --cli [OUTDIR]  (default: dist/bundle/)
 */
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** The service's store (only `eventlet-review feedback` loads it, lazily): a native SQLite addon and the PostgreSQL driver do not fit in one file. */
const STORE_PACKAGES = ["better-sqlite3", "pg", "kysely"];

/** What the service and the platform commands load: left in node_modules by bundleCli. */
const SERVICE_PACKAGES = [...STORE_PACKAGES, "probot", "@octokit/*", "bullmq", "ioredis", "pino", "prom-client", "ssh2"];

/** Bundles `entries` (output name → source) into `outdir`; returns the version stamped into them. */
export async function bundle(outdir: string, entries: Record<string, string> = { "eventlet-review": "src/cli/entry.ts" }, options: { split?: boolean; external?: string[] } = {}): Promise<string> {
  const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  mkdirSync(outdir, { recursive: true });
  await build({
    // The worker thread sits beside the entry, where review/sandbox.ts looks for it (and chunks beside both).
    entryPoints: { ...entries, "sandbox-worker": "src/review/sandbox-worker.ts", "screen-worker": "src/platforms/local/screen-worker.ts" },
    outdir,
    bundle: true,
    splitting: options.split ?? false,
    platform: "node",
    format: "esm",
    target: "node20",
    define: { EVENTLET_REVIEW_BUNDLED_VERSION: JSON.stringify(version) },
    // Some dependencies are CommonJS and call require(): give the ES module one.
    banner: { js: "import { createRequire as __erRequire } from 'node:module'; const require = __erRequire(import.meta.url);" },
    legalComments: "external",
    external: options.external ?? STORE_PACKAGES,
    logLevel: "warning",
    minify: true,
    keepNames: true,
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

/** The build bin/eventlet-review.js runs: `main` of src/cli/main.ts, each command a chunk of its own. */
export function bundleCli(outdir: string): Promise<string> {
  // Chunks are named by hash: old ones would pile up. Only an earlier bundle (its VERSION) is removed.
  if (existsSync(outdir) && readdirSync(outdir).length > 0 && !existsSync(join(outdir, "VERSION"))) {
    throw new Error(`${outdir} is not empty and holds no earlier bundle: not removing it`);
  }
  rmSync(outdir, { recursive: true, force: true });
  return bundle(outdir, { main: "src/cli/main.ts" }, { split: true, external: SERVICE_PACKAGES });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cli = process.argv[2] === "--cli";
  const outdir = resolve(process.argv[cli ? 3 : 2] ?? (cli ? "dist/bundle" : "dist-bundle"));
  const version = await (cli ? bundleCli(outdir) : bundle(outdir));
  if (!cli) process.stdout.write(`bundled eventlet-review ${version} into ${outdir}\n`);
}
