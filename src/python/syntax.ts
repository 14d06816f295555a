/** Small, rule-agnostic questions about tree-sitter-python nodes. */
import type { Node } from "web-tree-sitter";

const SCOPES = new Set(["function_definition", "lambda"]);

/** True when the node runs when its module is imported (not inside a def or lambda). */
export function runsAtImport(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (SCOPES.has(p.type)) return false;
  return true;
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
