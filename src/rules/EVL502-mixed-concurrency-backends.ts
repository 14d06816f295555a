import { parentPackageInits } from "../python/project-files.js";
import { declarationTrigger, declarationsInTree, exclusiveBranches, type DeclarationNode, type ModelDeclaration } from "../facts/concurrency.js";
import { MIGRATION_LINKS, SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code } from "./triggers.js";

const AT_MOST_RELATED = 3;

function what(d: ModelDeclaration): string {
  if (d.model === "threading") return "selects the threading backend";
  return d.how.startsWith("init_backend") || d.how.startsWith("register_backend") ? "selects the eventlet backend" : "monkey-patches with eventlet";
}

function selectsBackend(d: ModelDeclaration): boolean {
  return d.how.startsWith("init_backend");
}

function message(own: ModelDeclaration, other: ModelDeclaration, where: string): string {
  const fix = own.model === "eventlet" ? "drop the eventlet patch or selection and keep the threading backend" : "move this program off eventlet first, or keep it on eventlet until then";
  const raises = selectsBackend(own) && selectsBackend(other) ? " (init_backend raises BackendAlreadySelected)" : "";
  return `this ${what(own)} but ${where} ${what(other)}, and both run in one process${raises}: ${fix}.`;
}

export const mixedConcurrencyBackends: Rule = {
  meta: {
    id: "EVL502",
    name: "mixed-concurrency-backends",
    severity: "error",
    enabledByDefault: true,
    section: SECTIONS.backendSystem,
    triggers: (config) => [[code(declarationTrigger(config))]],
    summary: "One program both monkey-patches and selects the threading backend, or selects two different backends.",
    docs: {
      what:
        "Flags a backend selection (`init_backend(BackendType.…)`, or a patch module's `patch(backend='threading')`) " +
        "or an eventlet monkey patch (direct, through a re-exported eventlet, a project helper whose body patches, a " +
        "patch module's `patch()`, or importing a patch module that patches when imported) when code that runs in the same " +
        "process declares the other model: a parent package `__init__` on the file's import chain, the package " +
        "`__init__` of a project module it imports, a usual subpackage of a package `__init__` (`cmd`, `tests`, " +
        "`tests/unit`, `tests/functional`), an earlier statement of the same module (except one in an exclusive " +
        "branch: another branch of the same `if`/`elif`/`else`, or the body of a separate `if` on the complementary " +
        "condition, such as `if not use_threading:` against `if use_threading:` or `os.name == 'nt'` against " +
        "`os.name != 'nt'`, when nothing rebinds the condition's names in between), or the `concurrency` the config states for its path. The related location names " +
        "the other side.",
      why:
        "oslo.service fixes the backend once per process: selecting a second, different backend raises " +
        "`BackendAlreadySelected`. Monkey-patching under the threading backend is worse because it does not fail: " +
        "`threading.Thread` becomes a green thread, the backend's native workers and locks turn cooperative, and " +
        "one blocking call stalls the whole service. A half-migrated project must keep each program on one model.",
      example:
        "# neutron/__init__.py\nfrom oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n\n" +
        "# neutron/cmd/agent.py\nimport eventlet\neventlet.monkey_patch()\n",
      useInstead:
        "# neutron/cmd/agent.py: the package already runs on the threading backend\nfrom neutron.agent import main\n\n" +
        "def run():\n    main.start()\n",
      notes:
        "A selection that depends on a runtime switch (nova's `OS_NOVA_DISABLE_EVENTLET_PATCHING`, a " +
        "`concurrency_backend` option) is fine when the branches are exclusive in one module, whether written as " +
        "`if`/`else` or as two `if`s on complementary conditions (`not x` / `x`, `==` / `!=`, `in` / `not in`, " +
        "`is` / `is not`, any spelling of the Windows test against its negation). Two `if`s are not exclusive when " +
        "their condition calls anything but environment reads and string methods (`is_monkey_patched()` changes " +
        "once the first body patches) or when a name it reads is assigned between them; when they sit in " +
        "different modules the rule cannot tell which runs and reports the pair. Import chains are followed one " +
        "level (the package `__init__`s of what a module imports), not through the whole import graph. " +
        `oslo.service's backend documentation and the eventlet removal guide (${MIGRATION_LINKS.removalGuide}) ` +
        "describe the migration.",
    },
  },
  create(context) {
    const facts = context.facts?.();
    if (!facts || !declarationTrigger(context.config).test(context.text)) return {};
    return {
      async "module:exit"() {
        // A declaration is a qualified call or an import, so a module that declares has import records,
        // and they lead to its root. No visitor: the search runs once, in wasm, only where needed.
        const root = context.imports.records[0]?.node.tree.rootNode;
        if (!root) return;
        const own: DeclarationNode[] = await declarationsInTree(root, context.imports, context.path, context.config, context.roles.entryPoint, context.project);
        if (own.length === 0) return;
        const configured = facts.configured(context.path);
        const others: ModelDeclaration[] = [];
        // A script run by path does not run its parent package __init__s.
        const parents = context.roles.script ? [] : parentPackageInits(context.path);
        for (const init of parents) others.push(...((await facts.scan(init))?.declarations ?? []));
        // A whole-tree run reviews the subpackages themselves; probing them too would report each pair twice.
        others.push(...(await facts.sameProcessDeclarations(context.path, { probeChildren: context.mode !== "tree", text: context.text })));

        for (const [index, d] of own.entries()) {
          // Same module: an earlier declaration of the other model that can run together with this one.
          const earlier = own.slice(0, index).find((e) => e.model !== d.model && !exclusiveBranches(e.node, d.node));
          if (earlier) {
            context.report({
              node: d.node,
              message: message(d, earlier, `line ${earlier.line}`),
              related: [{ path: context.path, line: earlier.line, message: `${earlier.how}` }],
            });
            continue;
          }
          const conflicting = others.filter((o) => o.model !== d.model);
          if (conflicting.length > 0) {
            const first = conflicting[0];
            context.report({
              node: d.node,
              message: message(d, first, `${first.path}:${first.line}`),
              related: conflicting.slice(0, AT_MOST_RELATED).map((o) => ({ path: o.path, line: o.line, message: o.how })),
            });
            continue;
          }
          if (configured && configured.model !== d.model) {
            context.report({
              node: d.node,
              message: `this ${what(d)} but the config says concurrency "${configured.glob}" = ${configured.model}: make the code and the config agree.`,
            });
          }
        }
      },
    };
  },
};
