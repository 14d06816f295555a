/**
 * tree-sitter-python through web-tree-sitter (wasm): no compiler at install time, and trees are
 * freed with `tree.delete()` instead of waiting for the GC (see docs/design.md for the measurements).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Language, Parser, type Node, type Range, type Tree } from "web-tree-sitter";

export type { Node, Range, Tree };

let ready: Promise<Parser> | undefined;

declare const EVENTLET_REVIEW_BUNDLED_VERSION: string | undefined;

/** The grammar: from its npm package, or beside the single-file build (scripts/bundle.ts copies it there). */
function pythonGrammar(): string {
  if (typeof EVENTLET_REVIEW_BUNDLED_VERSION === "string") return fileURLToPath(new URL("./tree-sitter-python.wasm", import.meta.url));
  return createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
}

async function createParser(): Promise<Parser> {
  await Parser.init();
  const python = await Language.load(pythonGrammar());
  const parser = new Parser();
  parser.setLanguage(python);
  return parser;
}

/** The shared parser; the wasm module loads once per process (or worker thread). */
export function pythonParser(): Promise<Parser> {
  ready ??= createParser();
  return ready;
}

interface Lease {
  text: string;
  tree: Tree;
  users: number;
}

/** The last tree made: a text asked for twice in a row (a fact's scan, then the analysis) is parsed once. */
let last: Lease | undefined;

function release(lease: Lease): void {
  if (lease.users === 0 && lease !== last) lease.tree.delete();
}

/**
 * Parses `text`, hands the tree to `use`, and frees the tree once no use is left: trees are never
 * edited, so uses of one text may share one. The last tree stays until another text is parsed.
 */
export async function withTree<T>(text: string, use: (tree: Tree) => T | Promise<T>): Promise<T> {
  const parser = await pythonParser();
  let lease = last;
  if (lease?.text !== text) {
    const tree = parser.parse(text);
    if (!tree) throw new Error("tree-sitter returned no tree");
    const previous = last;
    lease = last = { text, tree, users: 0 };
    if (previous) release(previous);
  }
  lease.users++;
  try {
    return await use(lease.tree);
  } finally {
    lease.users--;
    release(lease);
  }
}

/**
 * Parses only `ranges` of `text` (tree-sitter's included ranges: nodes keep their places in the whole
 * text) for `use`, then frees the tree. No ranges parse as an empty module.
 */
export async function withTreeOf<T>(text: string, ranges: Range[], use: (tree: Tree) => T | Promise<T>): Promise<T> {
  const parser = await pythonParser();
  const tree = ranges.length ? parser.parse(text, null, { includedRanges: ranges }) : parser.parse("");
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    return await use(tree);
  } finally {
    tree.delete();
  }
}
