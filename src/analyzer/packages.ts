/**
 * What a parent package `__init__.py` does when Python imports it, which happens before any module
 * inside the package runs: the code it runs and whether it patches. Read through ProjectFiles and
 * cached per project, so a package shared by many files is parsed once.
 */
import type { Config } from "../config/schema.js";
import { ImportTable, isWithin } from "./imports.js";
import { withTree } from "./parser.js";
import { parentPackageInits, type ProjectFiles } from "./project.js";
import { firstCodeThatRuns, isPatchCall, patchScope, type PatchScope } from "./patching.js";
import type { Node } from "web-tree-sitter";
import { runsAtImport } from "./python.js";
import { patchModuleMatcher } from "./roles.js";

export interface InitSummary {
  path: string;
  /** Code that runs at import before the package patches (all of it when it never patches). */
  runsCode: { line: number; what: string; ownImport: boolean }[];
  /**
   * How the package patches at import, if it does: directly or by importing a patch module. `scope` is
   * the first patch call's; `scopes` lists every patch call of that statement (`if os.name == 'nt':`
   * / `else:` branches patch differently).
   */
  patch?: { line: number; scope: PatchScope; scopes: PatchScope[] };
}

const cache = new WeakMap<ProjectFiles, Map<string, Promise<InitSummary | undefined>>>();

/** Summaries of the package `__init__.py` files Python runs before `path`, outermost first. */
export async function parentPackages(path: string, project: ProjectFiles, config: Config): Promise<InitSummary[]> {
  let perProject = cache.get(project);
  if (!perProject) cache.set(project, (perProject = new Map()));
  const summaries: InitSummary[] = [];
  for (const init of parentPackageInits(path)) {
    let summary = perProject.get(init);
    if (!summary) {
      summary = project.readText(init).then((text) => (text === undefined ? undefined : summarize(init, text, config, project)));
      perProject.set(init, summary);
    }
    const resolved = await summary;
    if (resolved) summaries.push(resolved);
  }
  return summaries;
}

/** The import-time patch calls of a statement, in source order. */
function findPatchCalls(node: Node, imports: ImportTable, found: Node[] = []): Node[] {
  if (node.type === "call" && isPatchCall(node, imports) && runsAtImport(node)) found.push(node);
  if (node.type === "function_definition" || node.type === "class_definition") return found;
  for (const child of node.namedChildren) if (child) findPatchCalls(child, imports, found);
  return found;
}

/**
 * The dedicated patch modules a statement imports (`import nova.monkey_patch`, `from nova import
 * monkey_patch`), as project paths: modules whose path matches `patch_modules` and whose text patches
 * eventlet. A Django app's `monkey_patch.py` that patches something else is not one. When the module
 * cannot be read (outside the analyzed tree), the path pattern alone decides.
 */
export async function importedPatchModules(statement: Node, imports: ImportTable, config: Config, project: ProjectFiles): Promise<string[]> {
  if (statement.type !== "import_statement" && statement.type !== "import_from_statement") return [];
  const found: string[] = [];
  for (const r of imports.records) {
    // `from eventlet import monkey_patch` imports the function, not a project's patch module.
    if (r.node.id !== statement.id || isWithin(r.module, "eventlet")) continue;
    const path = await patchModulePath(r.name ? `${r.module}.${r.name}` : r.module, config, project);
    if (path) found.push(path);
  }
  return found;
}

/** `nova.monkey_patch` → `nova/monkey_patch.py` when that is a dedicated patch module that patches eventlet. */
export async function patchModulePath(module: string, config: Config, project: ProjectFiles): Promise<string | undefined> {
  if (isWithin(module, "eventlet")) return undefined;
  const isPatchModule = patchModuleMatcher(config);
  const base = module.replace(/\./g, "/");
  for (const candidate of [`${base}.py`, `${base}/__init__.py`]) {
    if (!isPatchModule(candidate)) continue;
    const text = await project.readText(candidate);
    if (text === undefined || (text.includes("eventlet") && text.includes("monkey_patch"))) return candidate;
  }
  return undefined;
}

/**
 * True for an import of the package's own modules (`from .rpc import *`, `from oslo_messaging import
 * rpc` in `oslo_messaging/__init__.py`): the re-exports that make a library's public API.
 */
function importsOwnPackage(statement: Node, initPath: string): boolean {
  const top = initPath.split("/")[0];
  const own = (module: string) => module === top || module.startsWith(`${top}.`);
  if (statement.type === "import_from_statement") {
    const module = statement.childForFieldName("module_name");
    return module?.type === "relative_import" || own(module?.text.replace(/\s+/g, "") ?? "");
  }
  if (statement.type === "import_statement") {
    return statement.childrenForFieldName("name").every((item) => {
      const name = item?.type === "aliased_import" ? item.childForFieldName("name")?.text : item?.text;
      return own(name ?? "");
    });
  }
  return false;
}

async function summarize(path: string, text: string, config: Config, project: ProjectFiles): Promise<InitSummary> {
  return withTree(text, async (tree) => {
    const imports = new ImportTable(tree.rootNode);
    const runsCode: InitSummary["runsCode"] = [];
    for (const statement of tree.rootNode.namedChildren) {
      if (!statement) continue;
      const line = statement.startPosition.row + 1;
      const patchCalls = findPatchCalls(statement, imports);
      if (patchCalls.length > 0) {
        const scopes = patchCalls.map(patchScope);
        return { path, runsCode, patch: { line: patchCalls[0].startPosition.row + 1, scope: scopes[0], scopes } };
      }
      if ((await importedPatchModules(statement, imports, config, project)).length > 0) return { path, runsCode, patch: { line, scope: "full", scopes: ["full"] } };
      const code = firstCodeThatRuns(statement, imports);
      if (code) runsCode.push({ line: code.node.startPosition.row + 1, what: code.what, ownImport: importsOwnPackage(code.node, path) });
    }
    return { path, runsCode };
  });
}
