/** Small, rule-agnostic questions about tree-sitter-python nodes. */
import type { Node, Point } from "web-tree-sitter";

const SCOPES = ["function_definition", "lambda"];

/** A tree's defs and lambdas by start, each with the innermost one around it (-1: none). */
interface ScopeIndex {
  starts: number[];
  ends: number[];
  parents: number[];
  /** The outermost scopes' start and end points, in order. */
  outermost: { start: Point; end: Point }[];
}

const scopeIndexes = new WeakMap<object, ScopeIndex>();

/** Built once per tree, in one wasm-side search: rules and facts ask about thousands of calls. */
function scopeIndex(node: Node): ScopeIndex {
  let index = scopeIndexes.get(node.tree);
  if (index) return index;
  index = { starts: [], ends: [], parents: [], outermost: [] };
  const open: number[] = [];
  // Pre-order: by start, an enclosing scope before the scopes inside it.
  for (const scope of node.tree.rootNode.descendantsOfType(SCOPES)) {
    if (!scope) continue;
    const start = scope.startIndex;
    while (open.length && index.ends[open[open.length - 1]] <= start) open.pop();
    index.parents.push(open.length ? open[open.length - 1] : -1);
    if (!open.length) index.outermost.push({ start: scope.startPosition, end: scope.endPosition });
    open.push(index.starts.length);
    index.starts.push(start);
    index.ends.push(scope.endIndex);
  }
  scopeIndexes.set(node.tree, index);
  return index;
}

/**
 * True when the node runs when its module is imported (not inside a def or lambda): no scope strictly
 * around its range. (A node of positive width, as statements and calls are: a scope of the same range
 * is the node itself or inside it, never around it.)
 */
export function runsAtImport(node: Node): boolean {
  const { starts, ends, parents } = scopeIndex(node);
  const start = node.startIndex;
  const end = node.endIndex;
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (starts[middle] <= start) low = middle + 1;
    else high = middle;
  }
  // The last scope that starts at or before the node, then the scopes around it.
  for (let i = low - 1; i >= 0; i = parents[i]) {
    if (ends[i] >= end && (starts[i] < start || ends[i] > end)) return false;
  }
  return true;
}

/**
 * The calls of the tree that run at import (runsAtImport), in pre-order: searched in the code between
 * the outermost defs and lambdas only, so the calls inside function bodies (most of a module) never
 * cross into JavaScript.
 */
export function importTimeCalls(root: Node): Node[] {
  const { outermost } = scopeIndex(root);
  if (!outermost.length) return root.descendantsOfType("call").filter((c): c is Node => !!c);
  const gaps: [Point, Point][] = [];
  let from: Point = { row: 0, column: 0 };
  for (const scope of outermost) {
    gaps.push([from, scope.start]);
    from = scope.end;
  }
  gaps.push([from, root.endPosition]);
  const seen = new Set<number>();
  const calls: Node[] = [];
  for (const [start, end] of gaps) {
    if (start.row === end.row && start.column >= end.column) continue;
    // Calls that overlap the gap: one around a lambda shows in the gaps on both sides of it.
    for (const call of root.descendantsOfType("call", start, end)) {
      if (call && !seen.has(call.id) && runsAtImport(call)) {
        seen.add(call.id);
        calls.push(call);
      }
    }
  }
  return calls.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}

/** The statement directly under `module` that holds `node`. */
export function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== "module") current = current.parent;
  return current;
}

/** Keyword arguments of a call by name; `**kwargs` is recorded under `**`. */
export function keywordArguments(call: Node): Map<string, Node> {
  const keywords = new Map<string, Node>();
  const args = call.childForFieldName("arguments");
  if (!args) return keywords;
  for (const arg of args.namedChildren) {
    if (!arg) continue;
    if (arg.type === "keyword_argument") {
      const name = arg.childForFieldName("name")?.text;
      const value = arg.childForFieldName("value");
      if (name && value) keywords.set(name, arg);
    } else if (arg.type === "dictionary_splat") {
      keywords.set("**", arg);
    }
  }
  return keywords;
}

export function keywordValue(keyword: Node): Node | null {
  return keyword.childForFieldName("value");
}

export function positionalArguments(call: Node): Node[] {
  const args = call.childForFieldName("arguments");
  if (!args) return [];
  return args.namedChildren.filter(
    (a): a is Node => !!a && !["keyword_argument", "dictionary_splat", "list_splat", "comment"].includes(a.type),
  );
}

/** A module, class or function docstring: a bare string as the first statement of its body. */
export function isDocstring(stringNode: Node): boolean {
  const statement = stringNode.parent;
  if (statement?.type !== "expression_statement" || statement.namedChildCount !== 1) return false;
  const body = statement.parent;
  if (!body) return false;
  const first = body.namedChildren.find((c) => c && c.type !== "comment");
  return first?.id === statement.id;
}

/** The literal text of a plain string (prefix and quotes removed); undefined for f-strings parts. */
export function stringText(stringNode: Node): string {
  return stringNode.namedChildren
    .filter((c): c is Node => !!c && c.type === "string_content")
    .map((c) => c.text)
    .join("");
}

/** The last identifier of a callable expression: `self._heartbeat_loop` → `_heartbeat_loop`. */
export function calleeName(expression: Node | null): string | undefined {
  if (!expression) return undefined;
  if (expression.type === "identifier") return expression.text;
  if (expression.type === "attribute") return expression.childForFieldName("attribute")?.text;
  if (expression.type === "call") {
    // functools.partial(self._heartbeat, ...) → the first argument names the work.
    return calleeName(positionalArguments(expression)[0] ?? null);
  }
  return undefined;
}
