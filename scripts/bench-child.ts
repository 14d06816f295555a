/**
 * One measurement of `npm run bench`, run in its own process so its peak memory is its own:
 *   bench-child.ts parse  ROOT LIST            web-tree-sitter parse of every file (the floor)
 *   bench-child.ts native ROOT LIST MODULES    native tree-sitter parse of every file
 *   bench-child.ts ruff   ROOT LIST            Ruff (wasm) over every file
 * LIST holds one ROOT-relative path per line. Prints one JSON line: {ms, cpuMs, maxRssKb, files, ...}.
 * The wall time the bench reports is measured around the whole process; `ms` is the loop alone.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { decodeSource } from "../src/python/source.js";
import { pythonParser } from "../src/python/parser.js";

const [mode, root, list, modules] = process.argv.slice(2);
const files = readFileSync(list, "utf8").split("\n").filter(Boolean);
const MAX = 2 * 1024 * 1024; // the analyzer's default max_file_bytes: the same files are skipped

function* sources(): Generator<string> {
  for (const path of files) {
    const decoded = decodeSource(readFileSync(join(root, path)), MAX);
    if (decoded.kind === "text") yield decoded.text;
  }
}

async function parseWasm(): Promise<Record<string, number>> {
  const parser = await pythonParser();
  let nodes = 0;
  const start = performance.now();
  for (const text of sources()) {
    const tree = parser.parse(text)!;
    nodes += tree.rootNode.descendantCount;
    tree.delete();
  }
  return { ms: performance.now() - start, nodes };
}

async function parseNative(): Promise<Record<string, number>> {
  const require = createRequire(join(modules, "package.json"));
  const Parser = require("tree-sitter");
  const Python = require("tree-sitter-python");
  const parser = new Parser();
  parser.setLanguage(Python);
  let nodes = 0;
  const start = performance.now();
  for (const text of sources()) nodes += parser.parse(text).rootNode.descendantCount;
  return { ms: performance.now() - start, nodes };
}

async function ruff(): Promise<Record<string, number>> {
  const require = createRequire(import.meta.url);
  const { Workspace, PositionEncoding } = require("@astral-sh/ruff-wasm-nodejs");
  // Ruff's default rule selection (E4, E7, E9, F): what `ruff check` does with no configuration.
  const workspace = new Workspace({}, PositionEncoding.Utf16);
  let diagnostics = 0;
  const start = performance.now();
  for (const text of sources()) diagnostics += workspace.check(text).length;
  return { ms: performance.now() - start, diagnostics };
}

const run = { parse: parseWasm, native: parseNative, ruff }[mode];
if (!run) throw new Error(`unknown mode ${mode}`);
const result = await run();
const usage = process.resourceUsage();
const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
process.stdout.write(`${JSON.stringify({ ...result, files: files.length, cpuMs, maxRssKb: usage.maxRSS })}\n`);
