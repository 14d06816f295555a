/**
 * Shared by EVL102 and EVL103: collect a module's import-time imports and calls, and after the walk
 * report those that patch through a dedicated patch module (`import nova.monkey_patch`, `patch()`) or a
 * project helper (`utils.monkey_patch()`).
 */
import type { Node } from "web-tree-sitter";
import { patchingThroughPatchModules } from "../facts/packages.js";
import { runsAtImport } from "../python/syntax.js";
import type { RuleContext, Visitors } from "./types.js";

export interface PatchModuleUses {
  /** Visitors for imports and the end of the walk; spread them into the rule's own. */
  visitors: Visitors;
  /** A call that is not itself an eventlet patch: kept when it runs at import, checked after the walk. */
  noteCall(node: Node): void;
}

export function patchModuleUses(context: RuleContext, message: (through: string) => string): PatchModuleUses {
  const statements: Node[] = [];
  const calls: Node[] = [];
  const onImport = (node: Node) => {
    if (runsAtImport(node)) statements.push(node);
  };
  return {
    visitors: {
      import_statement: onImport,
      import_from_statement: onImport,
      async "module:exit"() {
        for (const { node, through } of await patchingThroughPatchModules(statements, calls, context)) context.report({ node, message: message(through) });
      },
    },
    noteCall(node) {
      if (runsAtImport(node)) calls.push(node);
    },
  };
}
