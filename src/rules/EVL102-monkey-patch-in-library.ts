import { isPatchCall } from "../facts/patching.js";
import { runsAtImport } from "../python/syntax.js";
import { patchModuleUses } from "./patch-module-uses.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code } from "./triggers.js";

export const monkeyPatchInLibrary: Rule = {
  meta: {
    id: "EVL102",
    name: "monkey-patch-in-library",
    severity: "warning",
    enabledByDefault: true,
    section: SECTIONS.monkeyPatching,
    triggers: [[code(/monkey_?patch|eventlet_patch/)]],
    summary: "An import-time monkey patch in the root package __init__.py or another importable library module.",
    docs: {
      what:
        "Flags `eventlet.monkey_patch()` that runs at import time in the root package `__init__.py` (such as " +
        "`nova/__init__.py`) or in any other importable library module. Entry points are exempt: " +
        "`<pkg>/cmd/` modules, `__main__.py`, scripts (`if __name__ == \"__main__\":`), a tests package " +
        "`__init__.py` and other test code, and dedicated patch modules such as `<pkg>/monkey_patch.py` that " +
        "entry points import first. The patterns are configurable (`entry_points`, `patch_modules`, `test_paths`).",
      why:
        "Patching must be done in a way that lets services run without it, for example an API service under " +
        "Apache. That is why Nova patches in `nova/cmd/__init__.py` and `nova/tests/unit/__init__.py` and not in " +
        "`nova/__init__.py`: a patch in the package itself runs for every importer, including WSGI servers, " +
        "tools and other projects that only want a helper function.",
      example: "# mypkg/__init__.py\nimport eventlet\neventlet.monkey_patch()\n",
      useInstead:
        "# mypkg/cmd/__init__.py: every console script imports it first\nimport eventlet\neventlet.monkey_patch()\n",
      notes:
        "A patch inside a function of a library module is not flagged: its callers decide when it runs. " +
        "Patching through a dedicated patch module counts the same as calling `monkey_patch()`: importing one " +
        "that patches when imported (`import nova.monkey_patch` until 2024) or calling its patch function at " +
        "import time (`monkey_patch.patch()`), and so does calling a project helper whose body patches " +
        "(`utils.monkey_patch()`; the project's own module is read, one level deep, so nova's older " +
        "`utils.monkey_patch()`, which applied decorators, is not patching). Importing a patch module to ask `monkey_patch.is_patched()`, or calling " +
        "`patch(backend='threading')`, does not patch and is not flagged. A `monkey_patch.py` that does not " +
        "patch eventlet (a Django app's) is not a patch module. WSGI modules get EVL103 instead.",
    },
  },
  admits: ({ roles }) => !(roles.entryPoint || roles.patchModule || roles.test || roles.wsgi),
  create(context) {
    const { roles } = context;
    if (roles.entryPoint || roles.patchModule || roles.test || roles.wsgi) return {};
    const uses = patchModuleUses(
      context,
      (through) =>
        `patching through ${through} in an importable library module patches eventlet for everything ` +
        "that imports this one: patch only in the entry points (<pkg>/cmd/__init__.py, the tests package __init__.py).",
    );
    return {
      ...uses.visitors,
      call(node) {
        if (!runsAtImport(node)) return;
        if (!isPatchCall(node, context.imports)) {
          uses.noteCall(node);
          return;
        }
        context.report({
          node,
          message: roles.rootPackageInit
            ? `${context.path} patches eventlet for everything that imports the package: move the patch to the ` +
              "entry points (<pkg>/cmd/__init__.py, the tests package __init__.py) so services can run without it."
            : "an importable library module patches eventlet when imported: move the patch to the entry points " +
              "(<pkg>/cmd/__init__.py, the tests package __init__.py) or a patch module they import first.",
        });
      },
    };
  },
};
