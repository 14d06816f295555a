/**
 * `npm run bench:parsers`: the two tree-sitter bindings issue 2 asks us to compare, on the bench corpus:
 * native `tree-sitter` 0.25.1 (compiled with node-gyp into a scratch folder under .cache/, never a
 * dependency of the project) against `web-tree-sitter` (wasm), which the analyzer uses. Each binding
 * parses every file in its own process; medians of several runs. Run `npm run bench` first: it fetches
 * the corpus and writes the file list.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const TOP = resolve(import.meta.dirname, "..");
const ROOT = join(TOP, ".cache/corpus/tree/usr/lib/python3/dist-packages");
const LIST = join(TOP, ".cache/bench/all.list");
const SCRATCH = join(TOP, ".cache/native-ts");

const { values: opts } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const RUNS = Number(opts.runs);

if (!existsSync(LIST)) throw new Error("no corpus file list: run `npm run bench` first");
if (!existsSync(join(SCRATCH, "node_modules/tree-sitter/package.json"))) {
  mkdirSync(SCRATCH, { recursive: true });
  writeFileSync(join(SCRATCH, "package.json"), '{ "name": "native-ts-scratch", "private": true }\n');
  process.stderr.write("installing native tree-sitter@0.25.1 + tree-sitter-python@0.25.0 into .cache/native-ts (compiles)\n");
  execFileSync("npm", ["i", "--no-audit", "--no-fund", "tree-sitter@0.25.1", "tree-sitter-python@0.25.0"], { cwd: SCRATCH, stdio: "inherit" });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const [label, args] of [
  ["web-tree-sitter 0.27 (wasm)", ["parse", ROOT, LIST]],
  ["tree-sitter 0.25.1 (native)", ["native", ROOT, LIST, join(SCRATCH, "node_modules")]],
] as const) {
  const runs: { wall: number; ms: number; cpuMs: number; maxRssKb: number; files: number; nodes: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, ["--import", "tsx", join(TOP, "scripts/bench-child.ts"), ...args], { cwd: TOP, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
    runs.push({ wall: performance.now() - start, ...JSON.parse(r.stdout) });
  }
  const m = (k: "wall" | "ms" | "cpuMs" | "maxRssKb") => median(runs.map((x) => x[k]));
  process.stdout.write(
    `${label.padEnd(30)} ${runs[0].files} files, ${runs[0].nodes} nodes: parse loop ${(m("ms") / 1000).toFixed(2)} s ` +
      `(${Math.round(runs[0].files / (m("ms") / 1000))} files/s), process ${(m("wall") / 1000).toFixed(2)} s wall, ` +
      `${(m("cpuMs") / 1000).toFixed(2)} s CPU, peak RSS ${Math.round(m("maxRssKb") / 1024)} MB (median of ${RUNS})\n`,
  );
}
