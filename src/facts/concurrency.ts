/**
 * Which concurrency model a module declares: `threading` where it selects oslo.service's threading
 * backend (`init_backend(BackendType.THREADING)`, aliases resolved) or calls a patch module's
 * `patch(backend='threading')`, `eventlet` where it monkey-patches (directly, through a re-exported
 * eventlet, a project helper whose body patches, a patch module's `patch()`, or by importing a patch
 * module that patches when imported) or selects the eventlet backend. What counts as patching is
 * what EVL101–103 count (`patchingCall` in packages.ts): `facts` and the rules agree.
 */
import { patchModuleMatcher } from "./roles.js";
import type { Node } from "web-tree-sitter";
import { ImportTable } from "../python/imports.js";
import { withTree } from "../python/parser.js";
import { resolveReExports } from "./indirection.js";
import { patchingCall, patchModule } from "./packages.js";
import { greensSubprocess, isPatchCall } from "./patching.js";
import type { ProjectFiles } from "../python/project-files.js";
import { importTimeCalls, keywordArguments, keywordValue, positionalArguments, runsAtImport, stringText } from "../python/syntax.js";
import type { Config } from "../config/schema.js";

export type ConcurrencyModel = "threading" | "eventlet";

/** One place in the code that fixes a concurrency model. */
export interface ModelDeclaration {
  model: ConcurrencyModel;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** What the code does, for messages: "init_backend(BackendType.THREADING)". */
  how: string;
  /** Set on an `eventlet.monkey_patch(...)` whose arguments leave stdlib subprocess native (EVL201). */
  nativeSubprocess?: true;
}

export interface ModuleScan {
  declarations: ModelDeclaration[];
  /** Absolute module names the module imports (`neutron.service`, `neutron.common.utils`). */
  imports: string[];
}

const BACKEND = "oslo_service.backend";

/** `BackendType.THREADING` (any alias of the enum) or the strings "threading"/"eventlet". */
function backendOf(value: Node | null | undefined, imports: ImportTable): ConcurrencyModel | undefined {
  if (!value) return undefined;
  if (value.type === "string") {
    const text = stringText(value).toLowerCase();
    return text === "threading" || text === "eventlet" ? text : undefined;
  }
  if (value.type === "attribute") {
    const member = value.childForFieldName("attribute")?.text;
    const owner = imports.qualify(value.childForFieldName("object"));
    const isEnum = owner === `${BACKEND}.BackendType` || owner?.endsWith(".BackendType") || value.childForFieldName("object")?.text.endsWith("BackendType");
    if (!isEnum) return undefined;
    if (member === "THREADING") return "threading";
    if (member === "EVENTLET") return "eventlet";
  }
  if (value.type === "lambda") return backendOf(value.childForFieldName("body"), imports);
  return undefined;
}

function spanOf(node: Node): Pick<ModelDeclaration, "line" | "column" | "endLine" | "endColumn"> {
  // Columns here are byte-based +1; declarations are for facts and related lines, which use lines only.
  return {
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
  };
}

/** The model a call declares, if any. */
export function declarationOfCall(call: Node, imports: ImportTable): Pick<ModelDeclaration, "model" | "how" | "nativeSubprocess"> | undefined {
  const fn = call.childForFieldName("function");
  const callee = imports.qualify(fn);
  if (callee === `${BACKEND}.init_backend` || callee === `${BACKEND}.register_backend_default_hook`) {
    const keywords = keywordArguments(call);
    const argument = positionalArguments(call)[0] ?? (keywords.get("backend_type") ? keywordValue(keywords.get("backend_type")!) : null);
    const model = backendOf(argument, imports);
    if (!model) return undefined;
    const name = callee.endsWith("init_backend") ? "init_backend" : "register_backend_default_hook";
    return { model, how: `${name}(BackendType.${model.toUpperCase()})` };
  }
  if (isPatchCall(call, imports)) return { model: "eventlet", how: "eventlet.monkey_patch()", ...(greensSubprocess(call) === false ? { nativeSubprocess: true as const } : {}) };
  return undefined;
}

function importedModules(imports: ImportTable): string[] {
  const names = new Set<string>();
  for (const r of imports.records) {
    names.add(r.module);
    if (r.name) names.add(`${r.module}.${r.name}`);
  }
  return [...names];
}

const triggers = new WeakMap<Config, RegExp>();

/**
 * Text without which a module cannot declare a model: the selection and patch calls, and the stems of
 * the patch-module globs (`**\/monkey_patch.py` → `monkey_patch`). A module without it is not parsed.
 */
export function declarationTrigger(config: Config): RegExp {
  let trigger = triggers.get(config);
  if (!trigger) {
    const stems = config.patch_modules.map((glob) => glob.split("/").pop()!.replace(/\.py$/, ""));
    const escaped = stems.some((s) => /[*?[\]{}!]/.test(s) || s === "__init__") ? ["import"] : stems.map((s) => s.replace(/[.+^$()|\\]/g, "\\$&"));
    trigger = new RegExp(["init_backend", "register_backend_default_hook", "monkey_patch", ...escaped].join("|"));
    triggers.set(config, trigger);
  }
  return trigger;
}

/** A declaration with the call or import statement that makes it (valid while the tree lives). */
export interface DeclarationNode extends ModelDeclaration {
  node: Node;
}

/** Declarations in a parsed module. `entryPoint` widens the search to function bodies. */
export async function declarationsInTree(
  root: Node,
  imports: ImportTable,
  path: string,
  config: Config,
  entryPoint: boolean,
  project: ProjectFiles,
): Promise<DeclarationNode[]> {
  const isPatchModule = patchModuleMatcher(config);
  const declarations: DeclarationNode[] = [];
  const calledModules = new Set<string>();
  // Wasm-side searches for calls (walking every node from JavaScript costs more than the parse); outside
  // an entry point, only in the code that runs at import.
  for (const call of entryPoint ? root.descendantsOfType("call") : importTimeCalls(root)) {
    if (!call) continue;
    // A call inside another declaring call's arguments (a lambda hook) is the same declaration.
    if (declarations.some((d) => d.node.startIndex <= call.startIndex && call.endIndex <= d.node.endIndex)) continue;
    let found = declarationOfCall(call, imports);
    if (!found) {
      // A patch module's patch() (backend='threading' selects threading) or a project helper that patches.
      const patching = await patchingCall(call, imports, config, project);
      if (patching) found = { model: patching.model, how: patching.how };
      const callee = imports.qualify(call.childForFieldName("function"));
      if (callee) calledModules.add(callee.split(".").slice(0, -1).join("."));
    }
    if (found) declarations.push({ ...found, path, ...spanOf(call), node: call });
  }
  for (const record of imports.records) {
    if (!runsAtImport(record.node)) continue;
    const module = record.name ? `${record.module}.${record.name}` : record.module;
    const file = module.replace(/\./g, "/");
    if (!isPatchModule(`${file}.py`) && !isPatchModule(`${file}/__init__.py`)) continue;
    // Importing it declares eventlet only when that patches (`is_patched()` is no declaration); a patch
    // module outside the tree counts unless the module calls into it, as EVL101 judges it.
    const info = await patchModule(module, config, project);
    if (info && (info.known ? info.patchesOnImport : !calledModules.has(module))) {
      declarations.push({ model: "eventlet", how: `import ${module}`, path, ...spanOf(record.node), node: record.node });
    }
  }
  return declarations.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Declarations and imports of one module, from its text. */
export async function scanModule(path: string, text: string, config: Config, entryPoint: boolean, project: ProjectFiles): Promise<ModuleScan> {
  if (!declarationTrigger(config).test(text)) return { declarations: [], imports: [] };
  return withTree(text, async (tree) => {
    const imports = new ImportTable(tree.rootNode);
    await resolveReExports(imports, project);
    const declarations = (await declarationsInTree(tree.rootNode, imports, path, config, entryPoint, project)).map(({ node: _node, ...d }) => d);
    return { declarations, imports: importedModules(imports) };
  });
}

/** Which declarations can run together is a question about branches (python/branches.ts). */
export { exclusiveBranches } from "../python/branches.js";

/** The model a set of declarations adds up to: one model, `mixed`, or `unknown` when there are none. */
export function combine(declarations: readonly ModelDeclaration[]): ConcurrencyModel | "mixed" | "unknown" {
  const models = new Set(declarations.map((d) => d.model));
  if (models.size === 0) return "unknown";
  if (models.size > 1) return "mixed";
  return [...models][0];
}
