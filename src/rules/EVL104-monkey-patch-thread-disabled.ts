import type { Node } from "web-tree-sitter";
import { parentPackages } from "../facts/packages.js";
import { isPatchCall, patchScope, windowsOnly, type PatchScope } from "../facts/patching.js";
import { runsAtImport } from "../python/syntax.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code } from "./triggers.js";

const ADVICE =
  "to debug, use the eventlet backdoor, and call oslo_utils.eventletutils.warn_eventlet_not_patched(" +
  "expected_patched_modules=['thread']) so an unpatched run warns.";

export const monkeyPatchThreadDisabled: Rule = {
  meta: {
    id: "EVL104",
    name: "monkey-patch-thread-disabled",
    severity: "error",
    enabledByDefault: true,
    section: SECTIONS.monkeyPatching,
    triggers: [[code(/\bmonkey_patch\b/)]],
    summary: "A monkey patch that leaves the thread module unpatched (thread=False, all=False, or only some modules).",
    docs: {
      what:
        "Flags an `eventlet.monkey_patch()` call that leaves `thread` (and so `threading`) native: " +
        "`thread=False`; `all=False` without `thread=True`; any `<module>=True` keyword without `thread=True` " +
        "(eventlet then patches only the modules named). `thread=<expression>` is a warning, because it is " +
        "usually a debugger switch. A narrower patch that comes after a full patch of the same program (a test " +
        "that calls `monkey_patch(os=False, thread=False)` after its tests package patched everything) and a patch " +
        "in a Windows-only branch are not reported: see the notes.",
      why:
        "The spec warns that patching with `thread=False` is likely to cause problems: services do it so a " +
        "debugger works, but even simple programs then deadlock, because a native `threading.Lock` held across " +
        "a green-thread switch blocks the whole hub (the spec's Josh Harlow example hangs). The spec's Tools for " +
        "Ensuring Monkey Patch Sanity section suggests oslo.utils' eventletutils to warn when threading is not " +
        "patched, and the eventlet backdoor as the way to inspect a running service instead of a debugger.",
      example: "import eventlet\n\neventlet.monkey_patch(os=False, thread=False)\n",
      useInstead:
        "import eventlet\n\neventlet.monkey_patch(os=False)\n\n# in code that relies on green threads:\n" +
        "from oslo_utils import eventletutils\neventletutils.warn_eventlet_not_patched(expected_patched_modules=['thread'])\n",
      notes:
        "`os=False` alone is fine: threads stay patched. `all=True` is the same as no argument. Two cases are " +
        "not reported: a narrower patch after a full one (eventlet never unpatches, so a test that calls " +
        "`monkey_patch(os=False, thread=False)` after its tests package patched everything changes nothing), " +
        "and a patch in a branch that runs only on Windows (`if os.name == 'nt':`), where services leave " +
        "`os` and `thread` unpatched because eventlet's green pipes break `subprocess` there: a platform " +
        "constraint with no alternative, not the debugger switch the spec warns about.",
    },
  },
  create(context) {
    const calls: { node: Node; scope: PatchScope }[] = [];
    return {
      call(node) {
        if (isPatchCall(node, context.imports)) calls.push({ node, scope: patchScope(node) });
      },
      async "module:exit"() {
        let patchedFully = false;
        let parentsChecked = false;
        for (const { node, scope } of calls) {
          if (scope === "full" && runsAtImport(node)) patchedFully = true;
          if (scope === "full" || scope === "unknown" || windowsOnly(node)) continue;
          // eventlet never unpatches: after a full patch of the program, a narrower one changes nothing.
          if (!parentsChecked && !context.roles.script) {
            parentsChecked = true;
            const parents = await parentPackages(context.path, context.project, context.config);
            if (parents.some((p) => p.patch?.scopes.includes("full"))) patchedFully = true;
          }
          if (patchedFully) continue; // redundant after a full patch, not dangerous
          if (scope === "thread-off") {
            context.report({ node, message: `this patch leaves threading native and green threads deadlock on its locks: patch thread too; ${ADVICE}` });
          } else if (scope === "thread-unknown") {
            context.report({
              node,
              severity: "warning",
              message: `thread=<expression> can leave threading unpatched (often a debugger switch) and deadlock: patch thread always; ${ADVICE}`,
            });
          } else if (scope === "partial") {
            context.report({
              node,
              message: "naming modules patches only those, so threading stays native and green threads deadlock: add thread=True or call monkey_patch() with no arguments.",
            });
          }
        }
      },
    };
  },
};
