import type { Node } from "web-tree-sitter";
import { runsAtImport } from "../python/syntax.js";
import type { ImportTable } from "../python/imports.js";
import { subprocessPredates } from "../facts/advice.js";
import { declarationsInTree, type ModelDeclaration } from "../facts/concurrency.js";
import type { ProjectFacts } from "../facts/project-facts.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code, EVENTLET } from "./triggers.js";

/** The stdlib subprocess entry points that start a process and wait on it. */
const SPAWNING = new Set(["Popen", "call", "check_call", "check_output", "run", "getoutput", "getstatusoutput"].map((n) => `subprocess.${n}`));

/** `eventlet.patcher.original('subprocess')` or `eventlet.green.subprocess`, however spelled. */
function isGreenOrOriginal(value: Node | null, imports: ImportTable): boolean {
  if (!value) return false;
  const qualified = imports.qualify(value);
  if (qualified === "eventlet.green.subprocess") return true;
  if (value.type !== "call") return false;
  const callee = imports.qualify(value.childForFieldName("function")) ?? value.childForFieldName("function")?.text ?? "";
  const argument = value.childForFieldName("arguments")?.namedChildren[0];
  const names = argument?.type === "string" ? argument.text.replace(/^[rbu]*['"]+|['"]+$/gi, "") : "";
  if (/(^|\.)original$/.test(callee)) return names === "subprocess";
  if (/(^|\.)(import_module|try_import)$/.test(callee)) return names === "eventlet.green.subprocess";
  return false;
}

/**
 * Names the module binds to eventlet's green or original subprocess anywhere (processutils does it under
 * `if eventlet_patched:`): calls through them chose their module on purpose, which is the fix.
 */
function chosenSubprocessNames(root: Node, imports: ImportTable): Set<string> {
  const names = new Set<string>();
  for (const [local, target] of imports.bindings) if (target === "eventlet.green.subprocess") names.add(local);
  for (const record of imports.records) {
    if (record.module !== "eventlet.green" || record.name !== "subprocess") continue;
    for (const item of record.node.childrenForFieldName("name")) {
      const imported = item?.type === "aliased_import" ? item.childForFieldName("name")?.text : item?.text;
      const local = item?.type === "aliased_import" ? item.childForFieldName("alias")?.text : item?.text;
      if (imported === "subprocess" && local) names.add(local);
    }
  }
  for (const assignment of root.descendantsOfType("assignment")) {
    const left = assignment?.childForFieldName("left");
    if (left?.type === "identifier" && isGreenOrOriginal(assignment!.childForFieldName("right"), imports)) names.add(left.text);
  }
  return names;
}

/** The leftmost name of a callee: `subprocess` for `subprocess.Popen`, `co` for `co`. */
function rootName(fn: Node | null): string | undefined {
  let n = fn;
  while (n?.type === "attribute") n = n.childForFieldName("object");
  return n?.type === "identifier" ? n.text : undefined;
}

function isPatch(d: ModelDeclaration): boolean {
  return d.model === "eventlet" && !d.how.startsWith("init_backend") && !d.how.startsWith("register_backend");
}

function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition" || p.type === "lambda") return p;
  return null;
}

/** True when the module's own patch at `patch` has run by the time `call` runs. */
function ranBefore(patch: Node, call: Node): boolean {
  const after = call.startIndex > patch.endIndex;
  if (runsAtImport(patch)) return after || !runsAtImport(call); // functions run after the module's import
  // An entry point that patches in main(): other functions run after it, its own body only below it.
  const fn = enclosingFunction(patch);
  return !runsAtImport(call) && (enclosingFunction(call)?.id !== fn?.id || after);
}

/**
 * The patches of the service that runs `path`, by OpenStack's layout: `cinder/backup/drivers/ceph.py`
 * runs in cinder-backup, `cinder/cmd/backup.py` (or a `cmd/backup/` package). Empty when there is no such
 * program or it is not on eventlet alone.
 */
async function servicePatches(facts: ProjectFacts, path: string): Promise<ModelDeclaration[]> {
  const [top, sub, ...rest] = path.split("/");
  if (rest.length === 0 || sub === "cmd" || sub === "tests") return [];
  for (const program of [`${top}/cmd/${sub}.py`, `${top}/cmd/${sub}/__init__.py`]) {
    if (!(await facts.scan(program))) continue;
    const concurrency = await facts.concurrencyOf(program);
    if (concurrency.model === "eventlet") return concurrency.declarations.filter(isPatch);
  }
  return [];
}

const FIX = "use oslo_concurrency.processutils.execute() or eventlet.green.subprocess";

export const greenUnawareSubprocess: Rule = {
  meta: {
    id: "EVL201",
    name: "green-unaware-subprocess",
    severity: "warning",
    enabledByDefault: true,
    section: SECTIONS.greenthreadAwareModules,
    triggers: [[EVENTLET, code(/\bsubprocess\b/)]],
    summary: "A stdlib subprocess call in a module that uses eventlet, where nothing is known to have patched subprocess.",
    docs: {
      what:
        "Flags each call that starts a process through the standard library's `subprocess` module " +
        "(`subprocess.Popen`, `run`, `call`, `check_call`, `check_output`, `getoutput`, `getstatusoutput`, also " +
        "when imported by name or under an alias) in a module that imports eventlet, where stdlib subprocess may " +
        "still be native when the call runs: the program is not known to be monkey-patched (no patch on the " +
        "module's import chain, in the module itself before the call, in the service program that runs its " +
        "subpackage (`<pkg>/cmd/<subpackage>.py`), or in the `concurrency` the config states), " +
        "the patch leaves subprocess out (`subprocess=False`, `all=False`, or only other modules named, as in " +
        "`monkey_patch(socket=True)`), or the project's requirements allow an eventlet older than 0.20.0. In a " +
        "program known to be fully patched it stays silent. Calls through `eventlet.green.subprocess`, and through " +
        "a name the module rebinds to `eventlet.green.subprocess` or `eventlet.patcher.original('subprocess')` (as " +
        "oslo.concurrency's processutils does when eventlet patched), are the fix and are never flagged.",
      why:
        "Code where green threads and child processes interact must use a green subprocess module: a native " +
        "`Popen.wait()` or pipe read blocks the whole hub, so every other green thread of the process stops until " +
        "the child exits. The spec recommends `eventlet.green.subprocess`, or more simply " +
        "`oslo_concurrency.processutils`, which picks the right module depending on whether eventlet patched.",
      example: "# pkg/__init__.py and the module's own code patch nothing\nimport subprocess\n\nimport eventlet\n\ndef run():\n    return subprocess.check_output(['ls'])\n",
      useInstead:
        "from oslo_concurrency import processutils\n\ndef run():\n    out, _err = processutils.execute('ls')\n    return out\n",
      notes:
        "Today's eventlet differs from the spec: from eventlet 0.20.0 on, `monkey_patch()` patches `subprocess` " +
        "too (the spec was written against an eventlet that did not). In a fully patched program stdlib " +
        "subprocess is green at run time, and \"blocks every green thread\" would be false, so the rule fires only " +
        "where that is not known: a module whose program patches elsewhere (a console script, a WSGI server) is " +
        "reported, because nothing here shows it, unless it sits in the subpackage of a service whose program " +
        "patches (OpenStack's layout: `cinder/backup/drivers/ceph.py` runs in cinder-backup, `cinder/cmd/backup.py`); " +
        "otherwise state it with `concurrency: {\"pkg/**\": eventlet}` in the config. " +
        "With an eventlet requirement whose range allows releases before 0.20.0 the rule fires even in a patched " +
        "program, and says which requirement decided (`eventlet-review facts` shows where it was read).",
    },
  },
  create(context) {
    if (!context.imports.importsFrom("eventlet")) return {};
    const found: { node: Node; callee: string; name?: string }[] = [];
    return {
      call(node) {
        const fn = node.childForFieldName("function");
        const callee = context.imports.qualify(fn);
        if (!callee || !SPAWNING.has(callee)) return;
        found.push({ node, callee, name: rootName(fn) });
      },
      async "module:exit"() {
        if (found.length === 0) return;
        const root = found[0].node.tree.rootNode;
        const chosen = chosenSubprocessNames(root, context.imports);
        const calls = found.filter((f) => !f.name || !chosen.has(f.name));
        if (calls.length === 0) return;
        const facts = context.facts?.();
        const predates = subprocessPredates(await facts?.version("eventlet"));
        if (predates) {
          for (const { node, callee } of calls) context.report({ node, message: `${callee}() blocks every green thread of this process while the child runs: ${predates}; ${FIX}.` });
          return;
        }
        const concurrency = await facts?.concurrencyOf(context.path, context.text);
        const own = (await declarationsInTree(root, context.imports, context.path, context.config, context.roles.entryPoint, context.project)).filter(isPatch);
        const inherited = (concurrency?.declarations ?? []).filter((d) => d.path !== context.path && isPatch(d));
        if (inherited.length === 0 && facts && !context.roles.test && !context.roles.entryPoint) inherited.push(...(await servicePatches(facts, context.path)));
        const native = [...inherited, ...own].find((d) => d.nativeSubprocess);
        const mixed = concurrency?.model === "mixed" || concurrency?.model === "threading";
        const configuredEventlet = concurrency?.configured?.model === "eventlet";
        for (const { node, callee } of calls) {
          const head = `${callee}() blocks every green thread of this process while the child runs`;
          if (native) {
            context.report({ node, message: `${head}: the patch at ${native.path}:${native.line} leaves subprocess native; ${FIX}, or let monkey_patch() patch subprocess.` });
            continue;
          }
          const patched = !mixed && (configuredEventlet || inherited.length > 0 || own.some((d) => ranBefore(d.node, node)));
          if (patched) continue; // eventlet >= 0.20.0 made stdlib subprocess green for this program
          context.report({ node, message: `${head}, unless its program monkey-patched first, and nothing on this module's import chain is known to: ${FIX}.` });
        }
      },
    };
  },
};
