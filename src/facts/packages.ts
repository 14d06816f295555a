/**
 * What a parent package `__init__.py` does when Python imports it, which happens before any module
 * inside the package runs: the code it runs and whether it patches. Read through ProjectFiles and
 * cached per project, so a package shared by many files is parsed once.
 */
import type { Config } from "../config/schema.js";
import { ImportTable, isWithin } from "../python/imports.js";
import { withTree } from "../python/parser.js";
import { parentPackageInits, type ProjectFiles } from "../python/project-files.js";
import { firstCodeThatRuns, isPatchCall, patchScope, type PatchScope } from "./patching.js";
import type { Node } from "web-tree-sitter";
import { runsAtImport, stringText } from "../python/syntax.js";
import { indirectPatch, resolveReExports, summarizeText, type IndirectPatch } from "./indirection.js";
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

/** What a dedicated patch module does: patch when imported (nova Zed), or offer functions that patch. */
export interface PatchModule {
  path: string;
  /** False when the module could not be read: the path pattern alone made it a patch module. */
  known: boolean;
  /** Importing it patches (a module-level patch call, or a module-level call of one of its patch functions). */
  patchesOnImport: boolean;
  /** True when calling this function of the module patches (`patch`, not `is_patched`). */
  patches(functionName: string): boolean;
}

const patchModules = new WeakMap<ProjectFiles, Map<string, Promise<PatchModule | undefined>>>();

/**
 * `nova.monkey_patch` → what that dedicated patch module does, when `nova/monkey_patch.py` matches
 * `patch_modules` and its text patches eventlet. A Django app's `monkey_patch.py` that patches
 * something else is not one. When the module cannot be read (outside the analyzed tree), the path
 * pattern alone decides, and both importing it and calling it count as patching.
 */
export async function patchModule(module: string, config: Config, project: ProjectFiles): Promise<PatchModule | undefined> {
  if (!module || isWithin(module, "eventlet")) return undefined;
  const isPatchModule = patchModuleMatcher(config);
  const base = module.replace(/\./g, "/");
  for (const path of [`${base}.py`, `${base}/__init__.py`]) {
    if (!isPatchModule(path)) continue;
    let perProject = patchModules.get(project);
    if (!perProject) patchModules.set(project, (perProject = new Map()));
    let info = perProject.get(path);
    if (!info) {
      info = project.readText(path).then((text) => {
        if (text === undefined) return { path, known: false, patchesOnImport: true, patches: () => true };
        if (!text.includes("eventlet") || !text.includes("monkey_patch")) return undefined;
        return describePatchModule(path, text, project);
      });
      perProject.set(path, info);
    }
    const resolved = await info;
    if (resolved) return resolved;
  }
  return undefined;
}

async function describePatchModule(path: string, text: string, project: ProjectFiles): Promise<PatchModule> {
  const summary = await summarizeText(path, text, project);
  return { path, known: true, patchesOnImport: summary.patchesOnImport, patches: (name: string) => summary.patching.has(name) };
}

/** The dedicated patch modules an import statement imports (`import nova.monkey_patch`, `from nova import monkey_patch`). */
export async function importedPatchModules(statement: Node, imports: ImportTable, config: Config, project: ProjectFiles): Promise<PatchModule[]> {
  if (statement.type !== "import_statement" && statement.type !== "import_from_statement") return [];
  const found: PatchModule[] = [];
  for (const r of imports.records) {
    // `from eventlet import monkey_patch` imports the function, not a project's patch module.
    if (r.node.id !== statement.id || isWithin(r.module, "eventlet")) continue;
    const info = await patchModule(r.name ? `${r.module}.${r.name}` : r.module, config, project);
    if (info) found.push(info);
  }
  return found;
}

/** A call that patches or selects a model through the project's code, with its words for facts and messages. */
export interface PatchingCall {
  model: "eventlet" | "threading";
  /** The call as written, shortened: `monkey_patch.patch(backend='threading')`. */
  how: string;
  /** Set when a project helper (not a dedicated patch module) patches. */
  helper?: IndirectPatch;
}

function callText(call: Node): string {
  const text = call.text.replace(/\s+/g, " ");
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/**
 * What a call that is not `eventlet.monkey_patch()` itself does: a dedicated patch module's patch
 * function (`monkey_patch.patch()`; not `is_patched()`; `patch(backend='threading')` selects
 * threading), or a project helper whose body patches (`utils.monkey_patch()`, one level deep).
 * The rules and `facts` both ask this, so they agree on what patches.
 */
export async function patchingCall(call: Node, imports: ImportTable, config: Config, project: ProjectFiles): Promise<PatchingCall | undefined> {
  const callee = imports.qualify(call.childForFieldName("function"));
  if (!callee) return undefined;
  const parts = callee.split(".");
  const model = selectsThreading(call) ? "threading" : "eventlet";
  const info = await patchModule(parts.slice(0, -1).join("."), config, project);
  if (info) return info.patches(parts[parts.length - 1]) ? { model, how: callText(call) } : undefined;
  const helper = await indirectPatch(call, imports, project);
  return helper ? { model, how: callText(call), helper } : undefined;
}

/** A call that patches eventlet through a patch module or a project helper. */
export async function callsPatchFunction(call: Node, imports: ImportTable, config: Config, project: ProjectFiles): Promise<boolean> {
  return (await patchingCall(call, imports, config, project))?.model === "eventlet";
}

/**
 * Of a module's import-time imports and calls, the ones that patch through the project's code:
 * importing a patch module that patches on import, calling its patch function, or calling a project
 * helper that patches. `through` names the way: "the patch module", "nova.utils.monkey_patch()".
 */
export async function patchingThroughPatchModules(
  statements: readonly Node[],
  calls: readonly Node[],
  context: { imports: ImportTable; config: Config; project: ProjectFiles },
): Promise<{ node: Node; through: string }[]> {
  const patching: { node: Node; through: string }[] = [];
  for (const node of statements) {
    const modules = await importedPatchModules(node, context.imports, context.config, context.project);
    if (modules.some((m) => m.patchesOnImport)) patching.push({ node, through: "the patch module" });
  }
  for (const node of calls) {
    const call = await patchingCall(node, context.imports, context.config, context.project);
    if (call?.model !== "eventlet") continue;
    patching.push({ node, through: call.helper ? `${call.helper.callee}() (${call.helper.path})` : "the patch module" });
  }
  return patching;
}

/**
 * `monkey_patch.patch(backend='threading')` (nova's WSGI modules) selects oslo.service's threading
 * backend by default and patches only when the environment asks for eventlet.
 */
function selectsThreading(call: Node): boolean {
  return (call.childForFieldName("arguments")?.namedChildren ?? []).some((arg) => {
    const value = arg?.type === "keyword_argument" ? arg.childForFieldName("value") : arg;
    if (value?.type === "string") return stringText(value).toLowerCase() === "threading";
    return value?.type === "attribute" && value.childForFieldName("attribute")?.text === "THREADING";
  });
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
    await resolveReExports(imports, project);
    const runsCode: InitSummary["runsCode"] = [];
    for (const statement of tree.rootNode.namedChildren) {
      if (!statement) continue;
      const line = statement.startPosition.row + 1;
      const patchCalls = findPatchCalls(statement, imports);
      if (patchCalls.length > 0) {
        const scopes = patchCalls.map(patchScope);
        return { path, runsCode, patch: { line: patchCalls[0].startPosition.row + 1, scope: scopes[0], scopes } };
      }
      const modules = await importedPatchModules(statement, imports, config, project);
      if (modules.some((m) => m.patchesOnImport)) return { path, runsCode, patch: { line, scope: "full", scopes: ["full"] } };
      if (modules.length > 0) continue; // imports what patches; the call comes next
      for (const call of statement.descendantsOfType("call")) {
        if (call && runsAtImport(call) && (await callsPatchFunction(call, imports, config, project))) {
          return { path, runsCode, patch: { line: call.startPosition.row + 1, scope: "full", scopes: ["full"] } };
        }
      }
      const code = firstCodeThatRuns(statement, imports);
      if (code) runsCode.push({ line: code.node.startPosition.row + 1, what: code.what, ownImport: importsOwnPackage(code.node, path) });
    }
    return { path, runsCode };
  });
}
