import type { Node } from "web-tree-sitter";
import { subprocessClause } from "../facts/advice.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";

/** The stdlib subprocess entry points that start a process and wait on it. */
const SPAWNING = new Set(["Popen", "call", "check_call", "check_output", "run", "getoutput", "getstatusoutput"].map((n) => `subprocess.${n}`));

export const greenUnawareSubprocess: Rule = {
  meta: {
    id: "EVL201",
    name: "green-unaware-subprocess",
    severity: "warning",
    enabledByDefault: true,
    section: SECTIONS.greenthreadAwareModules,
    triggers: [["subprocess", "eventlet"]],
    summary: "A call through the stdlib subprocess module in a module that uses green threads explicitly.",
    docs: {
      what:
        "Flags each call that starts a process through the standard library's `subprocess` module " +
        "(`subprocess.Popen`, `run`, `call`, `check_call`, `check_output`, `getoutput`, `getstatusoutput`, also " +
        "when imported by name or under an alias) in a module that imports eventlet. Calls through " +
        "`eventlet.green.subprocess` are fine.",
      why:
        "Code where green threads and child processes interact must use a green subprocess module explicitly: " +
        "a native `Popen.wait()` or pipe read blocks the whole hub, so every other green thread of the process " +
        "stops until the child exits. The spec recommends `eventlet.green.subprocess`, or more simply " +
        "`oslo_concurrency.processutils`, which picks the right module depending on whether eventlet patched.",
      example: "import subprocess\n\nimport eventlet\n\ndef run():\n    return subprocess.check_output(['ls'])\n",
      useInstead:
        "from oslo_concurrency import processutils\n\ndef run():\n    out, _err = processutils.execute('ls')\n    return out\n",
      notes:
        "Today's eventlet differs from the spec: from eventlet 0.20.0 on, `monkey_patch()` patches `subprocess` " +
        "too (the spec was written against an eventlet that did not). The rule still applies: a module that " +
        "spawns green threads cannot know that its importer patched (tools, tests, WSGI servers and the threading " +
        "backend do not), so it must not depend on the global patch to keep `subprocess` cooperative. The finding says which case " +
        "applies to the eventlet version the project uses (`eventlet-review facts` shows where it was read).",
    },
  },
  create(context) {
    if (!context.imports.importsFrom("eventlet")) return {};
    const found: { node: Node; callee: string }[] = [];
    return {
      call(node) {
        const callee = context.imports.qualify(node.childForFieldName("function"));
        if (!callee || !SPAWNING.has(callee)) return;
        found.push({ node, callee });
      },
      async "module:exit"() {
        if (found.length === 0) return;
        // Version-aware wording: whether the eventlet in use patches subprocess at all (0.20.0 on).
        const clause = subprocessClause(await context.facts?.().version("eventlet"));
        for (const { node, callee } of found) {
          context.report({
            node,
            message: `${callee}() blocks every green thread of this module while the child runs: use oslo_concurrency.processutils.execute() or eventlet.green.subprocess${clause}.`,
          });
        }
      },
    };
  },
};
