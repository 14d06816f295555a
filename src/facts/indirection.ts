/**
 * Patching behind one level of indirection, through the project's own modules: a module that
 * re-exports eventlet (`from swift.common.concurrency import eventlet`) and a helper whose body
 * patches (`utils.monkey_patch()` in nova 2018, `eventlet_utils.monkey_patch()` in neutron). Modules
 * are read through ProjectFiles and summarized once per project. A helper module's own re-exports
 * are resolved (a name alias, swift's utils), but nothing is followed further.
 */
import type { Node } from "web-tree-sitter";
import { ImportTable, isWithin } from "../python/imports.js";
import { withTree } from "../python/parser.js";
import { firstCodeThatRuns, isPatchCall, PATCH_FUNCTIONS } from "./patching.js";
import type { ProjectFiles } from "../python/project-files.js";
import { runsAtImport } from "../python/syntax.js";

/** A project module found by its dotted name. */
interface ModuleFile {
  path: string;
  text: string;
}

export interface ModuleSummary {
  path: string;
  /** Top-level functions whose body patches eventlet, directly or through another such function. */
  patching: Set<string>;
  /** A module-level patch, or a module-level call of one of its patching functions. */
  patchesOnImport: boolean;
  /** The first thing importing the module runs beyond `os`, `sys` and eventlet (what EVL101 counts). */
  runsCode?: { line: number; what: string };
}

type Cache<T> = WeakMap<ProjectFiles, Map<string, Promise<T>>>;
const files: Cache<ModuleFile | undefined> = new WeakMap();
const exportCache: Cache<Map<string, string> | undefined> = new WeakMap();
const summaries: Cache<ModuleSummary | undefined> = new WeakMap();

function cached<T>(cache: Cache<T>, project: ProjectFiles, key: string, compute: () => Promise<T>): Promise<T> {
  let perProject = cache.get(project);
  if (!perProject) cache.set(project, (perProject = new Map()));
  let value = perProject.get(key);
  if (!value) {
    value = compute();
    perProject.set(key, value);
  }
  return value;
}

/** `nova.utils` → `nova/utils.py` or `nova/utils/__init__.py`, when the project holds it. */
export function moduleFile(module: string, project: ProjectFiles): Promise<ModuleFile | undefined> {
  return cached(files, project, module, async () => {
    if (!/^[A-Za-z_][\w.]*$/.test(module)) return undefined;
    const base = module.replace(/\./g, "/");
    for (const path of [`${base}.py`, `${base}/__init__.py`]) {
      const text = await project.readText(path);
      if (text !== undefined) return { path, text };
    }
    return undefined;
  });
}

/**
 * The names a project module binds to eventlet at its top level: its imports of eventlet and plain
 * aliases (`monkey_patch = eventlet.patcher.monkey_patch`), name → what it is in eventlet.
 */
function eventletExports(module: string, project: ProjectFiles): Promise<Map<string, string> | undefined> {
  return cached(exportCache, project, module, async () => {
    const file = await moduleFile(module, project);
    if (!file || !file.text.includes("eventlet")) return undefined;
    return withTree(file.text, (tree) => {
      const imports = new ImportTable(tree.rootNode);
      const names = new Map<string, string>();
      for (const [name, target] of imports.bindings) if (isWithin(target, "eventlet")) names.set(name, target);
      for (const statement of tree.rootNode.namedChildren) {
        const assignment = statement?.type === "expression_statement" ? statement.firstNamedChild : null;
        if (assignment?.type !== "assignment") continue;
        const left = assignment.childForFieldName("left");
        const target = imports.qualify(assignment.childForFieldName("right"));
        if (left?.type === "identifier" && isWithin(target, "eventlet")) names.set(left.text, target!);
      }
      return names;
    });
  });
}

/**
 * Rebinds the names a module imports from a project module that re-exports eventlet, so that
 * `from swift.common.concurrency import eventlet` makes `eventlet.monkey_patch()` eventlet's.
 */
export async function resolveReExports(imports: ImportTable, project: ProjectFiles): Promise<void> {
  for (const record of imports.records) {
    if (!record.name || isWithin(record.module, "eventlet")) continue;
    const target = (await eventletExports(record.module, project))?.get(record.name);
    if (target) imports.reExport(record, target);
  }
}

/** A project module's patching functions and what its import runs (undefined when it cannot patch). */
export function moduleSummary(module: string, project: ProjectFiles): Promise<ModuleSummary | undefined> {
  return cached(summaries, project, module, async () => {
    const file = await moduleFile(module, project);
    if (!file || !file.text.includes("eventlet") || !file.text.includes("monkey_patch")) return undefined;
    return summarizeText(file.path, file.text, project);
  });
}

/** The summary of a module's text (dedicated patch modules are summarized by path, through this). */
export function summarizeText(path: string, text: string, project: ProjectFiles): Promise<ModuleSummary> {
  return withTree(text, async (tree) => {
    const imports = new ImportTable(tree.rootNode);
    await resolveReExports(imports, project);
    const bodies = new Map<string, Node>();
    for (const statement of tree.rootNode.namedChildren) {
      const fn = statement?.type === "decorated_definition" ? statement.childForFieldName("definition") : statement;
      const name = fn?.type === "function_definition" ? fn.childForFieldName("name")?.text : undefined;
      if (fn && name) bodies.set(name, fn);
    }
    const patching = new Set<string>();
    const callsPatching = (node: Node, inFunction: boolean): boolean =>
      node.descendantsOfType("call").some((c) => {
        if (!c || (!inFunction && !runsAtImport(c))) return false;
        const callee = c.childForFieldName("function");
        return isPatchCall(c, imports) || (callee?.type === "identifier" && patching.has(callee.text) && !imports.bindings.has(callee.text));
      });
    // Functions that call other patching functions of the module (swift: monkey_patch → eventlet_monkey_patch).
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, fn] of bodies) {
        if (!patching.has(name) && callsPatching(fn, true)) {
          patching.add(name);
          changed = true;
        }
      }
    }
    let runsCode: ModuleSummary["runsCode"];
    for (const statement of tree.rootNode.namedChildren) {
      if (!statement) continue;
      const code = firstCodeThatRuns(statement, imports);
      if (code) {
        runsCode = { line: code.node.startPosition.row + 1, what: code.what };
        break;
      }
    }
    return { path, patching, patchesOnImport: callsPatching(tree.rootNode, false), runsCode };
  });
}

/** How a call that is not `eventlet.monkey_patch()` itself patches, found in the project's files. */
export interface IndirectPatch {
  /** `helper`: a project function whose body patches; `alias`: a project name for eventlet's patch function. */
  kind: "helper" | "alias";
  /** The project module that holds the helper or the alias. */
  path: string;
  /** The dotted name called: `nova.utils.monkey_patch`. */
  callee: string;
  summary?: ModuleSummary;
}

/**
 * `utils.monkey_patch()` whose body in `nova/utils.py` calls `eventlet.monkey_patch()`, or
 * `concurrency.monkey_patch()` where `swift/common/concurrency.py` says `monkey_patch =
 * eventlet.patcher.monkey_patch`. Undefined for anything else, such as nova's older
 * `utils.monkey_patch()`, which applied decorators and patched nothing.
 */
export async function indirectPatch(call: Node, imports: ImportTable, project: ProjectFiles): Promise<IndirectPatch | undefined> {
  if (call.type !== "call" || isPatchCall(call, imports)) return undefined;
  const callee = imports.qualify(call.childForFieldName("function"));
  if (!callee || isWithin(callee, "eventlet")) return undefined;
  const parts = callee.split(".");
  // A helper's name says it patches (the rules' trigger text requires `monkey_patch` anyway); and it is the project's own.
  if (parts.length < 2 || !/patch/i.test(parts[parts.length - 1]) || !(await moduleFile(parts[0], project))) return undefined;
  // The longest prefix that is a project module holds the rest: a function, or an eventlet name and its attributes.
  for (let i = parts.length - 1; i >= 1; i--) {
    const module = parts.slice(0, i).join(".");
    const file = await moduleFile(module, project);
    if (!file) continue;
    const rest = parts.slice(i);
    const exported = (await eventletExports(module, project))?.get(rest[0]);
    const summary = await moduleSummary(module, project);
    if (exported && PATCH_FUNCTIONS.has([exported, ...rest.slice(1)].join("."))) return { kind: "alias", path: file.path, callee, summary };
    if (rest.length !== 1) return undefined;
    return summary?.patching.has(rest[0]) ? { kind: "helper", path: file.path, callee, summary } : undefined;
  }
  return undefined;
}
