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
  /** Still among the recent trees (below): freed when it leaves them with no use left. */
  kept: boolean;
}

/**
 * The trees of the last texts parsed, oldest first, up to KEPT_CHARS of text (the newest always): a
 * module scanned for the facts of several files, and then analyzed itself, is parsed once. Files are
 * analyzed many at a time, so the same text comes back a few parses later, not always next.
 */
const recent: Lease[] = [];
let recentChars = 0;
const KEPT_CHARS = 1 << 20;

function release(lease: Lease): void {
  if (lease.users === 0 && !lease.kept) lease.tree.delete();
}

function keep(lease: Lease): void {
  recent.push(lease);
  recentChars += lease.text.length;
  while (recent.length > 1 && recentChars > KEPT_CHARS) {
    const oldest = recent.shift()!;
    recentChars -= oldest.text.length;
    oldest.kept = false;
    release(oldest);
  }
}

function recentTree(text: string): Lease | undefined {
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].text === text) return recent[i];
  return undefined;
}

/**
 * Parses `text`, hands the tree to `use`, and frees the tree once no use is left and it has left the
 * recent trees: trees are never edited, so uses of one text may share one.
 */
export async function withTree<T>(text: string, use: (tree: Tree) => T | Promise<T>): Promise<T> {
  const parser = await pythonParser();
  let lease = recentTree(text);
  if (!lease) {
    const tree = parser.parse(text);
    if (!tree) throw new Error("tree-sitter returned no tree");
    lease = { text, tree, users: 0, kept: true };
    keep(lease);
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
