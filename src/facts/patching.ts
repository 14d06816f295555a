/**
 * Domain knowledge about monkey patching shared by EVL101–105 and the package-chain checks:
 * which calls patch, whether a patch is complete, and what counts as code that runs before it.
 */
import type { Node } from "web-tree-sitter";
import { exclusiveBranches } from "../python/branches.js";
import { isWithin, type ImportTable } from "../python/imports.js";
import { keywordArguments, keywordValue } from "../python/syntax.js";

export const PATCH_FUNCTIONS = new Set(["eventlet.monkey_patch", "eventlet.patcher.monkey_patch"]);

export function isPatchCall(call: Node, imports: ImportTable): boolean {
  return call.type === "call" && PATCH_FUNCTIONS.has(imports.qualify(call.childForFieldName("function")) ?? "");
}

/** Modules the spec allows before patching: `os`, `sys`, eventlet itself, and `__future__`. */
const PRE_PATCH_MODULES = ["__future__", "os", "sys", "eventlet"];
/** Builtins that run no project or library code, as env guards use them. */
const PURE_BUILTINS = new Set([
  "bool", "int", "str", "float", "len", "any", "all", "isinstance", "hasattr", "frozenset", "set", "tuple", "list", "dict",
]);

function allowedModule(module: string): boolean {
  return PRE_PATCH_MODULES.some((m) => isWithin(module, m));
}

/** Method calls on values (`os.environ.get(...).lower()`, `'x'.join(...)`) run no imported code. */
const VALUE_NODES = new Set(["call", "string", "subscript", "parenthesized_expression", "list", "tuple", "dictionary", "set"]);

function allowedCallee(fn: Node | null, imports: ImportTable): boolean {
  if (!fn) return false;
  const qualified = imports.qualify(fn);
  if (qualified) return allowedModule(qualified);
  if (fn.type === "identifier") return PURE_BUILTINS.has(fn.text) && !imports.bindings.has(fn.text);
  if (fn.type === "attribute") {
    const object = fn.childForFieldName("object");
    return !!object && VALUE_NODES.has(object.type);
  }
  return false;
}

/** Node types that do not run their body at the point where they stand. */
const DEFERRED = new Set(["function_definition", "class_definition", "decorated_definition", "lambda", "except_clause", "except_group_clause"]);

export interface PrePatchCode {
  node: Node;
  /** Short description for messages: "import logging", "call to setup()". */
  what: string;
}

/** The first construct in `node` (source order) that runs code before a patch would, if any. */
export function firstCodeThatRuns(node: Node, imports: ImportTable, skip?: (node: Node) => boolean): PrePatchCode | undefined {
  if (skip?.(node)) return undefined;
  switch (node.type) {
    case "import_statement": {
      for (const item of node.childrenForFieldName("name")) {
        const module = (item?.type === "aliased_import" ? item.childForFieldName("name")?.text : item?.text) ?? "";
        if (!allowedModule(module)) return { node, what: `import ${module}` };
      }
      return undefined;
    }
    case "import_from_statement": {
      const module = node.childForFieldName("module_name");
      if (module?.type !== "relative_import" && allowedModule(module?.text ?? "")) return undefined;
      // `from swift.common.concurrency import eventlet`: a project module's re-export of eventlet is eventlet.
      const records = imports.records.filter((r) => r.node.id === node.id);
      if (records.length > 0 && records.every((r) => isWithin(r.resolved, "eventlet"))) return undefined;
      return { node, what: `from ${module?.text ?? "?"} import …` };
    }
    case "future_import_statement":
    case "comment":
    case "string":
      return undefined;
    case "call":
      if (!allowedCallee(node.childForFieldName("function"), imports)) {
        const fn = node.childForFieldName("function")?.text ?? "?";
        return { node, what: `call to ${fn.length > 40 ? `${fn.slice(0, 40)}…` : fn}()` };
      }
      break;
  }
  if (DEFERRED.has(node.type)) return undefined;
  for (const child of node.namedChildren) {
    if (!child) continue;
    const found = firstCodeThatRuns(child, imports, skip);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every top-level piece of code that runs before `statement` executes: preceding statements of each
 * enclosing block, and the conditions of enclosing `if`s (not their other branches, nor the bodies of
 * earlier `if`s on the complementary condition). `skip` exempts nodes that are part of patching (the
 * import of a dedicated patch module).
 */
export function codeBefore(statement: Node, imports: ImportTable, skipPatching?: (node: Node) => boolean): PrePatchCode[] {
  // `if use_threading: <select threading>` then `if not use_threading: <patch>`: one program runs one body.
  const skip = (n: Node) => !!skipPatching?.(n) || (n.type === "block" && exclusiveBranches(n, statement));
  const found: PrePatchCode[] = [];
  let node = statement;
  while (node.parent) {
    const container = node.parent;
    for (const sibling of container.namedChildren) {
      if (!sibling || sibling.startIndex >= node.startIndex) break;
      let target: Node | null = sibling;
      if (container.type === "if_statement") {
        if (sibling.type === "block" || sibling.type === "else_clause") target = null;
        else if (sibling.type === "elif_clause") target = sibling.childForFieldName("condition");
      }
      const code = target ? firstCodeThatRuns(target, imports, skip) : undefined;
      if (code) found.push(code);
    }
    node = container;
  }
  return found.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

export type PatchScope = "full" | "partial" | "thread-off" | "thread-unknown" | "unknown";

/**
 * What a patch call patches. `full`: everything including threads; `partial`: only named modules
 * (eventlet patches just those when any `<module>=True` is given); `thread-off`: threads left native.
 */
export function patchScope(call: Node): PatchScope {
  const keywords = keywordArguments(call);
  if (keywords.has("**")) return "unknown";
  const thread = keywords.get("thread");
  const threadValue = thread ? keywordValue(thread) : null;
  if (threadValue?.type === "false") return "thread-off";
  if (thread && threadValue?.type !== "true") return "thread-unknown";
  if (threadValue?.type === "true") return "full";
  const all = keywords.get("all");
  if (all && keywordValue(all)?.type === "false") return "thread-off";
  for (const [name, keyword] of keywords) {
    if (name !== "all" && keywordValue(keyword)?.type === "true") return "partial";
  }
  return "full";
}

/**
 * Whether a patch call makes stdlib subprocess green (eventlet >= 0.20.0): eventlet's `monkey_patch()`
 * turns on every module not named when no keyword is True, so `os=False` or `thread=False` still patch
 * subprocess, while `subprocess=False`, `all=False` or naming only other modules (`socket=True`) do not.
 * Undefined when the arguments cannot be read (`**kwargs`, a computed value).
 */
export function greensSubprocess(call: Node): boolean | undefined {
  const keywords = keywordArguments(call);
  if (keywords.has("**")) return undefined;
  const valueOf = (name: string): boolean | undefined | null => {
    const keyword = keywords.get(name);
    if (!keyword) return null;
    const type = keywordValue(keyword)?.type;
    return type === "true" ? true : type === "false" ? false : undefined;
  };
  const own = valueOf("subprocess");
  if (own !== null) return own;
  const all = valueOf("all");
  if (all !== null) return all; // `all=` sets the default of every module not named
  for (const [name] of keywords) {
    const value = valueOf(name);
    if (value === true) return false;
    if (value === undefined) return undefined;
  }
  return true;
}

/** True when an `if` condition only reads the environment (the DISABLE_EVENTLET_PATCHING pattern). */
export function readsEnvironment(condition: Node, imports: ImportTable): boolean {
  let reads = false;
  const visit = (n: Node): void => {
    const qualified = imports.qualify(n);
    if (qualified && (isWithin(qualified, "os.environ") || qualified === "os.getenv")) reads = true;
    for (const c of n.namedChildren) if (c && !reads) visit(c);
  };
  visit(condition);
  return reads;
}

/** A condition that holds only on Windows: `os.name == 'nt'`, `sys.platform == 'win32'`, `sys.platform.startswith('win')`. */
const WINDOWS_TEST =
  /^\(?\s*(?:os\.name\s*==\s*['"]nt['"]|sys\.platform\s*==\s*['"]win32['"]|sys\.platform\.startswith\(\s*['"]win(?:32)?['"]\s*\)|platform\.system\(\)\s*==\s*['"]Windows['"])\s*\)?$/;
/** Its negation: `os.name != 'nt'`, `not sys.platform.startswith('win')`. */
const NOT_WINDOWS_TEST =
  /^\(?\s*(?:os\.name\s*!=\s*['"]nt['"]|sys\.platform\s*!=\s*['"]win32['"]|not\s+sys\.platform\.startswith\(\s*['"]win(?:32)?['"]\s*\)|platform\.system\(\)\s*!=\s*['"]Windows['"])\s*\)?$/;

/**
 * True when `node` sits in a branch that runs only on Windows: the body of `if os.name == 'nt':`, or
 * an `elif`/`else` after `if os.name != 'nt':`. Services patch there with `os=False`/`thread=False`
 * because eventlet's green pipes break `subprocess` on Windows, a platform constraint, not a choice.
 */
export function windowsOnly(node: Node): boolean {
  for (let child: Node = node, p = node.parent; p; child = p, p = p.parent) {
    if (p.type !== "if_statement") continue;
    const clauses = p.namedChildren.filter((c): c is Node => !!c);
    const conditionText = (c: Node | null | undefined) => (c?.text ?? "").replace(/\s+/g, " ").trim();
    const branchIndex = clauses.findIndex((c) => c.id === child.id);
    if (branchIndex < 0) continue;
    const branch = clauses[branchIndex];
    // Conditions that were false for this branch to run: the if's own (unless this is its body) and earlier elifs.
    const earlier: Node[] = [];
    const ifCondition = p.childForFieldName("condition");
    if (branch.id === ifCondition?.id) continue; // inside the condition itself
    if (branch.type === "block") {
      if (WINDOWS_TEST.test(conditionText(ifCondition))) return true;
      continue;
    }
    if (ifCondition) earlier.push(ifCondition);
    for (const c of clauses.slice(0, branchIndex)) {
      if (c.type === "elif_clause") {
        const condition = c.childForFieldName("condition");
        if (condition) earlier.push(condition);
      }
    }
    if (earlier.some((c) => NOT_WINDOWS_TEST.test(conditionText(c)))) return true;
    if (branch.type === "elif_clause" && WINDOWS_TEST.test(conditionText(branch.childForFieldName("condition")))) return true;
  }
  return false;
}
