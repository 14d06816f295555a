/**
 * The named nodes of some types, found inside wasm (tree-sitter's descendantsOfType): a node crosses
 * into JavaScript only when it is one asked for, where a cursor walk from JavaScript crosses for every
 * node of the tree (docs/benchmark.md). Nodes come in document order with a parent before the children
 * that start where it does: the order of a pre-order walk. Not a Query: compiling one costs 3-20 ms
 * for each set of types, more than a short run saves with it.
 */
import type { Node } from "web-tree-sitter";

/** Per language and set of types: whether a type is also an anonymous node's (`lambda`, the keyword), which must be left out. */
const twins = new WeakMap<object, Map<string, boolean>>();

function hasAnonymousTwin(root: Node, types: readonly string[]): boolean {
  const language = root.tree.language;
  let known = twins.get(language);
  if (!known) twins.set(language, (known = new Map()));
  const key = types.join(" ");
  let answer = known.get(key);
  if (answer === undefined) {
    answer = types.some((t) => language.idForNodeType(t, false) !== null);
    known.set(key, answer);
  }
  return answer;
}

export function nodesOfTypes(root: Node, types: readonly string[]): Node[] {
  const found = root.descendantsOfType(types as string[]);
  const anonymous = hasAnonymousTwin(root, types);
  return found.filter((node): node is Node => node !== null && (!anonymous || node.isNamed));
}
