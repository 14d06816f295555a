/**
 * Which `if` branches can run together. Two nodes are exclusive when the conditions that must hold for
 * one contradict those of the other: different branches of one `if`/`elif`/`else`, and also separate
 * `if`s on complementary conditions (`if not use_threading:` … `if use_threading:`, `os.name == 'nt'`
 * against `os.name != 'nt'`), as long as nothing can change the condition's value between the two.
 */
import type { Node } from "web-tree-sitter";

/** A condition known to hold (`positive`) or not to hold for a node to run, and the `if` that says so. */
interface Guard {
  key: string;
  positive: boolean;
  statement: Node;
  condition: Node;
}

/** Windows tests are one condition however they are spelled (cinder uses `os.name`, others `sys.platform`). */
const WINDOWS = [
  /^os\.name==(['"])nt\1$/,
  /^sys\.platform==(['"])win32\1$/,
  /^sys\.platform\.startswith\((['"])win(?:32)?\1\)$/,
  /^platform\.system\(\)==(['"])Windows\1$/,
];

const NEGATED_OPERATORS: Record<string, string> = { "!=": "==", "is not": "is", "not in": "in" };

function unwrap(node: Node): Node {
  let n = node;
  while (n.type === "parenthesized_expression" && n.namedChildCount === 1 && n.namedChild(0)) n = n.namedChild(0)!;
  return n;
}

function compact(text: string): string {
  return text.replace(/\s+/g, "");
}

/** The normalized form of a condition: `not x` is `x` negated, `a != b` is `a == b` negated. */
export function conditionKey(condition: Node): { key: string; positive: boolean } {
  let node = unwrap(condition);
  let positive = true;
  while (node.type === "not_operator" && node.childForFieldName("argument")) {
    positive = !positive;
    node = unwrap(node.childForFieldName("argument")!);
  }
  let key = compact(node.text);
  if (node.type === "comparison_operator" && node.namedChildCount === 2) {
    const operators = node.childrenForFieldName("operators").map((o) => o?.text.replace(/\s+/g, " ") ?? "");
    const operator = operators.join(" ");
    const negated = NEGATED_OPERATORS[operator];
    const [left, right] = [node.namedChild(0)!, node.namedChild(1)!];
    if (negated) positive = !positive;
    key = `${compact(left.text)} ${negated ?? operator} ${compact(right.text)}`;
    if ((negated ?? operator) === "==" && WINDOWS.some((w) => w.test(compact(key)))) key = "<windows>";
  } else if (WINDOWS.some((w) => w.test(key))) key = "<windows>";
  return { key, positive };
}

/** The guards on the way from `node` up to the module. */
function guardsOf(node: Node): Guard[] {
  const guards: Guard[] = [];
  for (let n: Node = node, p = node.parent; p; n = p, p = p.parent) {
    if (p.type === "if_statement") {
      const condition = p.childForFieldName("condition");
      if (!condition || n.id === condition.id) continue;
      if (n.id === p.childForFieldName("consequence")?.id) {
        guards.push({ ...conditionKey(condition), statement: p, condition });
        continue;
      }
      if (n.type !== "elif_clause" && n.type !== "else_clause") continue;
      // In an elif or else: the if's condition and every earlier elif's were false.
      const falseConditions = [condition];
      for (const clause of p.childrenForFieldName("alternative")) {
        if (!clause || clause.id === n.id) break;
        const c = clause.childForFieldName("condition");
        if (c) falseConditions.push(c);
      }
      for (const c of falseConditions) {
        const { key, positive } = conditionKey(c);
        guards.push({ key, positive: !positive, statement: p, condition: c });
      }
    } else if (p.type === "elif_clause") {
      const condition = p.childForFieldName("condition");
      if (condition && n.id === p.childForFieldName("consequence")?.id) {
        guards.push({ ...conditionKey(condition), statement: p.parent ?? p, condition });
      }
    }
  }
  return guards;
}

/** Calls whose value cannot change between two `if`s: environment reads and string methods. */
const STABLE_CALL = /^(?:os\.environ\.get|os\.getenv|os\.environ\.__contains__|bool|str|int|len|sys\.platform\.startswith|platform\.system)$|\.(?:lower|upper|strip|casefold|startswith|endswith)$/;

/** Root names a condition reads (`CONF.use_threading` → `CONF`), or undefined if it calls anything unstable. */
function stableNames(condition: Node): Set<string> | undefined {
  const names = new Set<string>();
  let stable = true;
  const visit = (n: Node): void => {
    if (!stable) return;
    if (n.type === "call") {
      const fn = n.childForFieldName("function");
      if (!fn || !STABLE_CALL.test(compact(fn.text))) {
        stable = false;
        return;
      }
    }
    if (n.type === "identifier" && n.parent?.type !== "attribute") names.add(n.text);
    if (n.type === "attribute") {
      let base: Node | null = n;
      while (base?.type === "attribute") base = base.childForFieldName("object");
      if (base?.type === "identifier") names.add(base.text);
    }
    if (n.type === "named_expression") stable = false;
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(condition);
  return stable ? names : undefined;
}

const ASSIGNMENTS = ["assignment", "augmented_assignment", "for_statement", "global_statement"];

/** True when some name of `names` may be rebound in the source range [from, to). */
function reboundBetween(root: Node, names: Set<string>, from: number, to: number): boolean {
  for (const type of ASSIGNMENTS) {
    for (const statement of root.descendantsOfType(type)) {
      if (!statement || statement.startIndex < from || statement.startIndex >= to) continue;
      const target = type === "global_statement" ? statement : statement.childForFieldName("left");
      for (const id of target?.descendantsOfType("identifier") ?? []) if (id && names.has(id.text)) return true;
    }
  }
  return false;
}

function contradicts(x: Guard, y: Guard): boolean {
  if (x.key !== y.key || x.positive === y.positive) return false;
  if (x.statement.id === y.statement.id) return true;
  // Separate ifs: the condition must read the same values both times.
  const names = stableNames(x.condition);
  if (!names) return false;
  const [first, second] = x.statement.startIndex < y.statement.startIndex ? [x.statement, y.statement] : [y.statement, x.statement];
  let root: Node = first;
  while (root.parent) root = root.parent;
  return !reboundBetween(root, names, first.startIndex, second.startIndex);
}

/**
 * True when `a` and `b` cannot both run: different branches of one `if`/`elif`/`else`, or the bodies of
 * separate `if`s on complementary conditions whose names nothing rebinds in between.
 */
export function exclusiveBranches(a: Node, b: Node): boolean {
  const ga = guardsOf(a);
  if (ga.length === 0) return false;
  const gb = guardsOf(b);
  return ga.some((x) => gb.some((y) => contradicts(x, y)));
}
