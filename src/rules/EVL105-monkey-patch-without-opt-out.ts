import type { Node } from "web-tree-sitter";
import { isPatchCall, readsEnvironment } from "../facts/patching.js";
import { runsAtImport } from "../python/syntax.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code } from "./triggers.js";

function guardedByEnvironment(call: Node, context: Parameters<Rule["create"]>[0]): boolean {
  for (let p = call.parent; p; p = p.parent) {
    const condition = p.type === "if_statement" || p.type === "elif_clause" ? p.childForFieldName("condition") : null;
    if (condition && readsEnvironment(condition, context.imports)) return true;
  }
  return false;
}

function outermostIf(call: Node): Node | undefined {
  let found: Node | undefined;
  for (let p = call.parent; p; p = p.parent) if (p.type === "if_statement") found = p;
  return found;
}

export const monkeyPatchWithoutOptOut: Rule = {
  meta: {
    id: "EVL105",
    name: "monkey-patch-without-opt-out",
    severity: "info",
    enabledByDefault: false,
    section: SECTIONS.monkeyPatching,
    triggers: [[code(/\bmonkey_patch\b/)]],
    summary: "An import-time monkey patch with no environment variable to turn it off.",
    docs: {
      what:
        "Flags an `eventlet.monkey_patch()` that runs at import time and is not inside an `if` that reads the " +
        "environment (`os.environ`, `os.getenv`). Off by default: turn it on with `rules: {EVL105: on}`.",
      why:
        "Monkey patching can break tools that import the module but do not need green threads: flake8 with " +
        "several workers, sphinx, debuggers. The spec suggests making the patch conditional on an environment " +
        "variable that those runs set; projects use `DISABLE_EVENTLET_PATCHING`, " +
        "`OS_NOVA_DISABLE_EVENTLET_PATCHING` and similar names.",
      example: "import eventlet\neventlet.monkey_patch()\n",
      useInstead:
        "import os\n\nif not os.environ.get('DISABLE_EVENTLET_PATCHING'):\n    import eventlet\n    eventlet.monkey_patch()\n",
    },
  },
  create(context) {
    // `if os.name == 'nt': monkey_patch(os=False) else: monkey_patch()` is one decision: one finding.
    const reportedIfs = new Set<number>();
    return {
      call(node) {
        if (!isPatchCall(node, context.imports) || !runsAtImport(node) || guardedByEnvironment(node, context)) return;
        const branches = outermostIf(node);
        if (branches) {
          if (reportedIfs.has(branches.id)) return;
          reportedIfs.add(branches.id);
        }
        context.report({
          node,
          message:
            "this import-time patch cannot be turned off, which breaks tools such as flake8 with several workers: " +
            "wrap it in `if not os.environ.get('DISABLE_EVENTLET_PATCHING'):`.",
        });
      },
    };
  },
};
