/**
 * The named nodes of some types, found by a tree-sitter query: the walk runs inside wasm and a node
 * crosses into JavaScript only when it is one asked for, where a cursor walk from JavaScript crosses for
 * every node of the tree (docs/benchmark.md). Captures come in document order with a parent before the
 * children that start where it does: the order of a pre-order walk.
 */
import { Query, type Node } from "web-tree-sitter";

/** One compiled query per set of types (each file asks for the types of the rules it admits). */
const queries = new Map<string, Query>();

export function nodesOfTypes(root: Node, types: readonly string[]): Node[] {
  const sorted = [...types].sort();
  const key = sorted.join(" ");
  let query = queries.get(key);
  if (!query) {
    query = new Query(root.tree.language, `[${sorted.map((t) => `(${t})`).join(" ")}] @node`);
    queries.set(key, query);
  }
  return query.captures(root).map((capture) => capture.node);
}
