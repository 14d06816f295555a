/**
 * tree-sitter-python through web-tree-sitter (wasm): no compiler at install time, and trees are
 * freed with `tree.delete()` instead of waiting for the GC (see docs/design.md for the measurements).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

export type { Node, Tree };

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

/** Parses `text`, hands the tree to `use`, and always frees the tree afterwards. */
export async function withTree<T>(text: string, use: (tree: Tree) => T | Promise<T>): Promise<T> {
  const parser = await pythonParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    return await use(tree);
  } finally {
    tree.delete();
  }
}
