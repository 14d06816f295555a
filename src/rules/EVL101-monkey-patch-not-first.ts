import type { IndirectPatch } from "../facts/indirection.js";
import { importedPatchModules, parentPackages, patchingCall } from "../facts/packages.js";
import { codeBefore, isPatchCall } from "../facts/patching.js";
import { runsAtImport } from "../python/syntax.js";
import type { Node } from "web-tree-sitter";
import { SECTIONS } from "./sections.js";
import { moduleRoles } from "../facts/roles.js";
import type { Rule, RuleContext } from "./types.js";
import { code } from "./triggers.js";

export const monkeyPatchNotFirst: Rule = {
  meta: {
    id: "EVL101",
    name: "monkey-patch-not-first",
    severity: "error",
    enabledByDefault: true,
    section: SECTIONS.monkeyPatching,
    triggers: [[code(/monkey_?patch|eventlet_patch/)]],
    summary: "A module-level eventlet.monkey_patch() that runs after other code of its module or package.",
    docs: {
      what:
        "Flags a module-level `eventlet.monkey_patch()` call when code runs before it: an import other than " +
        "`__future__`, `os`, `sys` or eventlet, or a call to anything but eventlet, `os`/`sys` and `os.environ`. " +
        "Docstrings, comments, `def`/`class` statements, plain assignments and `if` guards that only read the " +
        "environment do not count, nor does the body of an earlier `if` on the complementary condition " +
        "(`if threaded:` before `if not threaded: eventlet.monkey_patch()`, `os.name == 'nt'` before " +
        "`os.name != 'nt'`): only one of the two bodies runs. Patching through a dedicated patch module counts " +
        "the same: its import (`import nova.monkey_patch`) or the call of its function (`monkey_patch.patch()`) " +
        "must come first. So does a project helper whose body patches (`from nova import utils` then " +
        "`utils.monkey_patch()`, nova in 2018): importing its module counts as code that runs first unless that " +
        "module imports only `os`, `sys` and eventlet. A name a project module re-exports from eventlet (`from " +
        "swift.common.concurrency import eventlet`) is eventlet's, and importing it is importing eventlet. It also " +
        "flags the patch when a parent package `__init__.py`, which Python runs first, already imports or runs " +
        "other code.",
      why:
        "The spec's rule is \"do it first or not at all\". Modules imported before the patch keep references to " +
        "the unpatched standard library: a lock created by `logging`, a thread started by a library, a socket " +
        "module bound early. Once the patch runs, native and green threads are mixed and the results are " +
        "undefined and usually deadlocks. Nobody can see every such race in review, because it can come from a " +
        "library's import, so the only safe order is to patch before any other code runs.",
      example: "import logging\n\nimport eventlet\neventlet.monkey_patch()\n\nLOG = logging.getLogger(__name__)\n",
      useInstead: "import eventlet\neventlet.monkey_patch()\n\nimport logging  # noqa: E402\n\nLOG = logging.getLogger(__name__)\n",
      notes:
        "A patch call inside a function is not flagged at that line: whoever calls it must run it first (see " +
        "EVL102 for where that belongs). `os`, `sys` and `os.path` calls are allowed before the patch because " +
        "the spec allows importing `os` first and neither starts threads. A test package of a library " +
        "(`oslo_messaging/tests/__init__.py`) is not flagged for its parent `__init__.py` when that only " +
        "re-exports the library's own modules: nothing inside the package can run earlier, and patching in the " +
        "library's `__init__` is what EVL102 forbids. A module whose parent package already patched (a test " +
        "module under a tests package that patches) is not flagged either: its own patch is redundant, not late. " +
        "A script run by path (a module with an `if __name__ == \"__main__\":` guard, other than a package's " +
        "`__init__.py`, `__main__.py`, a `cmd/` module, which console scripts import, or a `test_*.py` module, which " +
        "the test runner imports) is its own program: no parent package `__init__` runs before it, so none " +
        "makes its patch late, and none makes it redundant.",
    },
  },
  create(context) {
    const { imports } = context;
    /** Where the module patches: eventlet's patch calls, and the dedicated patch module's import or call. */
    const sites: { node: Node; what: string }[] = [];
    const importStatements: Node[] = [];
    const otherCalls: Node[] = [];
    const onImport = (node: Node) => {
      if (runsAtImport(node)) importStatements.push(node);
    };
    return {
      import_statement: onImport,
      import_from_statement: onImport,
      call(node) {
        if (!runsAtImport(node)) return;
        if (isPatchCall(node, imports)) sites.push({ node, what: "eventlet.monkey_patch()" });
        else otherCalls.push(node);
      },
      async "module:exit"() {
        const patchModuleImports: Node[] = [];
        const unreadPatchModuleImports: Node[] = [];
        for (const node of importStatements) {
          const modules = await importedPatchModules(node, imports, context.config, context.project);
          if (modules.length === 0) continue;
          patchModuleImports.push(node);
          // `import nova.monkey_patch` patches by being imported (nova until 2024).
          if (modules.some((m) => m.known && m.patchesOnImport)) sites.push({ node, what: `the patch (${node.text})` });
          else if (modules.some((m) => !m.known)) unreadPatchModuleImports.push(node);
        }
        // `from nova import monkey_patch; monkey_patch.patch()`: the patch module's function; and a
        // project helper that patches (`from nova import utils; utils.monkey_patch()`, nova 2018).
        let patchFunctionCalled = false;
        /** Import statements of helper modules: harmless when the module imports nothing else, else the cause. */
        const helperImports = new Map<number, IndirectPatch>();
        for (const node of otherCalls) {
          const patching = await patchingCall(node, imports, context.config, context.project);
          if (patching?.model !== "eventlet") continue;
          sites.push({ node, what: `the patch (${node.childForFieldName("function")?.text}())` });
          if (!patching.helper) {
            patchFunctionCalled = true;
            continue;
          }
          const statement = importOfCallee(node, imports);
          if (statement) helperImports.set(statement.id, patching.helper);
        }
        // A patch module we cannot read: its import is the patch unless the module calls into it.
        if (!patchFunctionCalled) for (const node of unreadPatchModuleImports) sites.push({ node, what: `the patch (${node.text})` });
        if (sites.length === 0) return;
        sites.sort((a, b) => a.node.startIndex - b.node.startIndex);
        // A script run by path is its own program: no parent package __init__ runs before it.
        const parents = context.roles.script ? [] : await parentPackages(context.path, context.project, context.config);
        // A package __init__ patched before this module's first line ran: its patch is redundant, not late.
        if (parents.some((p) => p.patch)) return;
        const isPatchImport = (node: Node) =>
          patchModuleImports.some((i) => i.id === node.id) || (helperImports.has(node.id) && !helperImports.get(node.id)!.summary?.runsCode);
        // Branches of one `if` (cinder's `os.name == 'nt'` pair) share the same cause: report it once.
        const reportedCauses = new Set<number>();
        let parentReported = false;
        let patchedCleanly = false;
        for (const { node: call, what } of sites) {
          if (patchedCleanly) break; // an earlier unconditional patch ran first: later ones are redundant
          const statement = statementOf(call);
          const before = codeBefore(statement, imports, isPatchImport);
          if (before.length === 0 && statement.parent?.type === "module") patchedCleanly = true;
          if (before.length > 0) {
            const first = before[0];
            if (reportedCauses.has(first.node.id)) continue;
            reportedCauses.add(first.node.id);
            const line = first.node.startPosition.row + 1;
            const helper = helperImports.get(first.node.id);
            const helperRuns = helper?.summary?.runsCode;
            context.report({
              node: call,
              message: helperRuns
                ? `${what} runs after ${first.what} (line ${line}), and ${helper!.path} runs ${helperRuns.what} (line ${helperRuns.line}) ` +
                  "when imported: patch in a module that imports only os, sys and eventlet (a dedicated patch module such as " +
                  `${context.path.split("/")[0]}/monkey_patch.py) and import it first.`
                : `${what} runs after ${first.what} (line ${line}): ` + "move the patch above every other import and call of the module.",
              related: before.map((b) => ({
                path: context.path,
                line: b.node.startPosition.row + 1,
                message: `${b.what} runs before the patch`,
              })),
            });
            continue;
          }
          if (parentReported) continue;
          for (const parent of parents) {
            const code = parent.runsCode[0];
            if (!code) continue;
            // A library's tests cannot run before the library's own __init__, which re-exports its API:
            // nothing in the package can patch earlier, and patching in that __init__ is EVL102.
            if (context.roles.test && !isTestPath(parent.path, context) && parent.runsCode.every((c) => c.ownImport)) continue;
            context.report({
              node: call,
              message:
                `${parent.path} runs ${code.what} (line ${code.line}) before this patch, because Python runs a ` +
                "package's __init__ first: patch there or keep that __init__ free of imports and calls.",
              related: parent.runsCode.map((c) => ({ path: parent.path, line: c.line, message: `${c.what} runs before the patch` })),
            });
            parentReported = true;
            break;
          }
        }
      },
    };
  },
};

function isTestPath(path: string, context: RuleContext): boolean {
  return moduleRoles(path, "", context.config).test;
}

/** The import statement that binds the head of a call's callee (`utils` in `utils.monkey_patch()`). */
function importOfCallee(call: Node, imports: RuleContext["imports"]): Node | undefined {
  let head = call.childForFieldName("function");
  while (head?.type === "attribute") head = head.childForFieldName("object");
  if (head?.type !== "identifier") return undefined;
  const records = imports.records.filter((r) => r.local === head.text && runsAtImport(r.node));
  return records[records.length - 1]?.node;
}

/** The statement holding a call: walk up to the nearest node whose parent is a block or the module. */
function statementOf(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== "block" && current.parent.type !== "module") current = current.parent;
  return current;
}
