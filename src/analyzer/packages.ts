/**
 * What a parent package `__init__.py` does when Python imports it, which happens before any module
 * inside the package runs: the code it runs and whether it patches. Read through ProjectFiles and
 * cached per project, so a package shared by many files is parsed once.
 */
import picomatch from "picomatch";
import type { Config } from "../config/schema.js";
import { ImportTable } from "./imports.js";
import { withTree } from "./parser.js";
import { parentPackageInits, type ProjectFiles } from "./project.js";
import { firstCodeThatRuns, isPatchCall, patchScope, type PatchScope } from "./patching.js";
import type { Node } from "web-tree-sitter";
import { runsAtImport } from "./python.js";

export interface InitSummary {
  path: string;
  /** Code that runs at import before the package patches (all of it when it never patches). */
  runsCode: { line: number; what: string }[];
  /** How the package patches at import, if it does: directly or by importing a patch module. */
  patch?: { line: number; scope: PatchScope };
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
      summary = project.readText(init).then((text) => (text === undefined ? undefined : summarize(init, text, config)));
      perProject.set(init, summary);
    }
    const resolved = await summary;
    if (resolved) summaries.push(resolved);
  }
  return summaries;
}

function findPatchCall(node: Node, imports: ImportTable): Node | undefined {
  if (node.type === "call" && isPatchCall(node, imports) && runsAtImport(node)) return node;
  if (node.type === "function_definition" || node.type === "class_definition") return undefined;
  for (const child of node.namedChildren) {
    const found = child && findPatchCall(child, imports);
    if (found) return found;
  }
  return undefined;
}

function importsPatchModule(statement: Node, imports: ImportTable, isPatchModule: (p: string) => boolean): boolean {
  if (statement.type !== "import_statement" && statement.type !== "import_from_statement") return false;
  return imports.records.some((r) => {
    if (r.node.id !== statement.id) return false;
    const modulePath = (r.name ? `${r.module}.${r.name}` : r.module).replace(/\./g, "/");
    return isPatchModule(`${modulePath}.py`) || isPatchModule(`${modulePath}/__init__.py`);
  });
}

async function summarize(path: string, text: string, config: Config): Promise<InitSummary> {
  const isPatchModule = picomatch(config.patch_modules, { dot: true });
  return withTree(text, (tree) => {
    const imports = new ImportTable(tree.rootNode);
    const runsCode: InitSummary["runsCode"] = [];
    for (const statement of tree.rootNode.namedChildren) {
      if (!statement) continue;
      const line = statement.startPosition.row + 1;
      const patchCall = findPatchCall(statement, imports);
      if (patchCall) return { path, runsCode, patch: { line: patchCall.startPosition.row + 1, scope: patchScope(patchCall) } };
      if (importsPatchModule(statement, imports, isPatchModule)) return { path, runsCode, patch: { line, scope: "full" } };
      const code = firstCodeThatRuns(statement, imports);
      if (code) runsCode.push({ line: code.node.startPosition.row + 1, what: code.what });
    }
    return { path, runsCode };
  });
}
