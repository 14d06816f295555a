/**
 * What each name of a module refers to, from its import statements: `import eventlet as ev` binds
 * `ev` to `eventlet`, `from eventlet import patcher` binds `patcher` to `eventlet.patcher`. Flow-
 * insensitive on purpose (imports inside functions count too), like most linters.
 */
import type { Node } from "web-tree-sitter";

export interface ImportRecord {
  /** The module imported (`eventlet.green`), or for `from m import n` the module `m`. */
  module: string;
  /** For `from m import n`: the imported name `n`. */
  name?: string;
  /** The import statement. */
  node: Node;
  /** The name the statement binds for this record: `n` or its alias, `ev` in `import eventlet as ev`, `a` in `import a.b`. */
  local?: string;
  /** What the name really is when `m` is a project module that re-exports it (`eventlet`). */
  resolved?: string;
}

/** Node types whose children can hold import statements. */
const STATEMENT_CONTAINERS = new Set([
  "module", "block", "if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
  "except_group_clause", "finally_clause", "with_statement", "for_statement", "while_statement",
  "function_definition", "class_definition", "decorated_definition", "match_statement", "case_clause",
]);

const IMPORT_STATEMENTS = ["import_statement", "import_from_statement"];

/** `a.b.c` with nothing between the names: no spaces, comments, parentheses or line continuations. */
const DOTTED_NAME = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

export class ImportTable {
  readonly bindings = new Map<string, string>();
  readonly records: ImportRecord[] = [];

  constructor(root: Node) {
    this.collect(root);
  }

  /**
   * The import statements that lie in statements only (not in an ERROR node, say), in document order:
   * found inside wasm (descendantsOfType: a query would cost more to compile than it saves on a
   * short run), then each one's ancestors checked, instead of visiting every statement from JavaScript.
   */
  private collect(root: Node): void {
    for (const statement of root.descendantsOfType(IMPORT_STATEMENTS)) {
      if (!statement || statement.id === root.id || !onlyInStatements(statement, root)) continue;
      if (statement.type === "import_statement") this.addImport(statement);
      else this.addFromImport(statement);
    }
  }

  private addImport(statement: Node): void {
    for (const item of statement.childrenForFieldName("name")) {
      if (!item) continue;
      if (item.type === "aliased_import") {
        const module = item.childForFieldName("name")?.text ?? "";
        const alias = item.childForFieldName("alias")?.text;
        if (alias) this.bindings.set(alias, module);
        this.records.push({ module, node: statement, local: alias });
      } else {
        const module = item.text;
        const head = module.split(".")[0];
        this.bindings.set(head, head);
        this.records.push({ module, node: statement, local: head });
      }
    }
  }

  private addFromImport(statement: Node): void {
    const moduleNode = statement.childForFieldName("module_name");
    if (!moduleNode || moduleNode.type === "relative_import") return;
    const module = moduleNode.text.replace(/\s+/g, "");
    const names = statement.childrenForFieldName("name");
    if (names.length === 0) this.records.push({ module, node: statement }); // wildcard
    for (const item of names) {
      if (!item) continue;
      const imported = item.type === "aliased_import" ? item.childForFieldName("name")?.text : item.text;
      const local = item.type === "aliased_import" ? item.childForFieldName("alias")?.text : item.text;
      if (!imported || !local) continue;
      this.bindings.set(local, `${module}.${imported}`);
      this.records.push({ module, name: imported, node: statement, local });
    }
  }

  /** `ev.patcher.monkey_patch` → `eventlet.patcher.monkey_patch`; undefined for unbound names. */
  qualify(expression: Node | null): string | undefined {
    if (!expression) return undefined;
    const type = expression.type;
    if (type !== "identifier" && type !== "attribute") return undefined;
    // Written plainly, a dotted name's text says what its nodes would, without two wasm crossings per dot.
    const text = expression.text;
    if (DOTTED_NAME.test(text)) {
      const dot = text.indexOf(".");
      if (dot < 0) return this.bindings.get(text);
      const base = this.bindings.get(text.slice(0, dot));
      return base ? base + text.slice(dot) : undefined;
    }
    if (type === "identifier") return this.bindings.get(text);
    const base = this.qualify(expression.childForFieldName("object"));
    const attribute = expression.childForFieldName("attribute")?.text;
    return base && attribute ? `${base}.${attribute}` : undefined;
  }

  /** True when the module imports `prefix` or one of its submodules (or a name from them), also through a re-export. */
  importsFrom(prefix: string): boolean {
    return this.records.some((r) => isWithin(r.module, prefix) || isWithin(r.resolved, prefix));
  }

  /**
   * `from swift.common.concurrency import eventlet`, where that project module imports eventlet:
   * the name is eventlet's. The binding changes only if no later import rebound the name.
   */
  reExport(record: ImportRecord, target: string): void {
    record.resolved = target;
    if (record.local && this.bindings.get(record.local) === `${record.module}.${record.name}`) this.bindings.set(record.local, target);
  }
}

/** Whether every node between `node` and `root` can hold statements. */
function onlyInStatements(node: Node, root: Node): boolean {
  for (let up = node.parent; up && up.id !== root.id; up = up.parent) if (!STATEMENT_CONTAINERS.has(up.type)) return false;
  return true;
}

export function isWithin(name: string | undefined, prefix: string): boolean {
  return name !== undefined && (name === prefix || name.startsWith(`${prefix}.`));
}
