import type { Node } from "web-tree-sitter";
import { isWithin } from "../python/imports.js";
import { positionalArguments } from "../python/syntax.js";
import { whyThreading } from "../facts/describe.js";
import { MIGRATION_LINKS, SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { EVENTLET, text } from "./triggers.js";

/** What to write instead of each eventlet construct, on the threading backend. */
function advice(qualified: string): string {
  const member = qualified.split(".").slice(1).join(".");
  if (/^(spawn|spawn_n|spawn_after|greenthread)/.test(member)) return "start a threading.Thread or submit to a futurist.ThreadPoolExecutor";
  if (/^(GreenPool|GreenPile|greenpool)/.test(member)) return "use a futurist.ThreadPoolExecutor";
  if (member === "sleep") return "call time.sleep()";
  if (/^semaphore/.test(member) || /Semaphore$/.test(member)) return "use threading.Semaphore or threading.Lock";
  if (/^timeout|^Timeout/.test(member)) return "pass timeouts to the blocking calls themselves";
  if (/^event|^Event/.test(member)) return "use threading.Event";
  if (/^queue|Queue$/.test(member)) return "use queue.Queue";
  return "use the standard library's threading, queue and time modules or futurist";
}

/** Patching and backend selection belong to EVL502, which reports the conflict as a whole. */
function isPatching(qualified: string): boolean {
  return /^eventlet\.(patcher\.)?monkey_patch$|^eventlet\.patcher\./.test(qualified);
}

function isZero(node: Node | undefined): boolean {
  return (node?.type === "integer" || node?.type === "float") && Number(node.text) === 0;
}

/** A comment that names eventlet's cooperative scheduling (the reason some code yields with sleep(0)). */
const EVENTLET_REASON = /eventlet|green ?(?:thread|let)|\bhub\b|monkey[ _-]?patch|cooperative/i;

/** The statement's own comment: one at the end of its line, or the comment block right above it. */
function ownComment(call: Node): string {
  let statement = call;
  while (statement.parent && statement.parent.type !== "block" && statement.parent.type !== "module") statement = statement.parent;
  const texts: string[] = [];
  const trailing = statement.nextSibling;
  if (trailing?.type === "comment" && trailing.startPosition.row === statement.endPosition.row) texts.push(trailing.text);
  // A comment opening a block belongs to the statement that owns the block in tree-sitter's tree.
  let above = statement.previousSibling ?? (statement.parent?.type === "block" ? statement.parent.previousSibling : null);
  let row = statement.startPosition.row;
  while (above?.type === "comment" && above.endPosition.row === row - 1) {
    texts.push(above.text);
    row = above.startPosition.row;
    above = above.previousSibling;
  }
  return texts.join("\n");
}

interface Candidate {
  node: Node;
  what: string;
  instead: string;
}

export const eventletInThreadingCode: Rule = {
  meta: {
    id: "EVL501",
    name: "eventlet-in-threading-code",
    severity: "error",
    enabledByDefault: true,
    section: SECTIONS.postMigration,
    triggers: [[EVENTLET], [text(/sleep\(0/), text(EVENTLET_REASON)]],
    summary: "A new use of eventlet in code that runs on oslo.service's threading backend.",
    docs: {
      what:
        "In code that runs on the threading backend (a package `__init__` or entry point on its import chain calls " +
        "`oslo_service.backend.init_backend(BackendType.THREADING)`, or the config says `concurrency: threading` for " +
        "its path), flags each import of eventlet or its submodules, each call into eventlet (`eventlet.spawn*`, " +
        "`greenthread.*`, `GreenPool`, `eventlet.sleep`, `eventlet.semaphore`, `timeout`, `event`, `queue`…). In a " +
        "review (GitHub, Gerrit, `--base`, `--diff`, `--staged`) only lines the change adds are reported, so legacy " +
        "code never fails a change; a whole-tree `check` lists what is there at info level, as a migration to-do " +
        "list. `time.sleep(0)` is not eventlet and is never reported in a review; the to-do list names one only " +
        "when its own comment (on its line or right above it) says it yields to eventlet or green threads.",
      why:
        "A project that has selected the threading backend runs on native threads and imports no eventlet. A new " +
        "green primitive there either does nothing useful (`eventlet.sleep()` yields to a hub that is not running; " +
        "a green semaphore does not exclude native threads) or pulls eventlet back into the " +
        "process, where a later `monkey_patch()` from any importer would turn the service's native threads green. " +
        "The eventlet removal guide's post-migration advice is to stop eventlet from sneaking back in at review " +
        "time; unlike hacking's H905, this rule knows which parts of a half-migrated project already moved.",
      example:
        "# neutron/__init__.py selects the threading backend\n# neutron/agent/dhcp.py\nimport eventlet\n\n" +
        "def start(worker):\n    eventlet.spawn(worker.run)\n",
      useInstead:
        "import threading\n\ndef start(worker):\n    threading.Thread(target=worker.run, daemon=True).start()\n",
      notes:
        "Library code that declares no model itself counts as threading when every program the project installs " +
        "(its `pyproject.toml` or `setup.cfg` scripts) that picks a model picks threading and none patches eventlet, " +
        "as ironic, designate and heat do in their command packages; test code and entry points keep their own. " +
        "How the model is found: `eventlet-review facts PATH` prints it for each package and entry point with the " +
        "file and line it came from. Code whose import chain also monkey-patches is EVL502's business, not this " +
        "rule's. `time.sleep(0)` on native threads releases the GIL, which threaded code does on purpose, so it is " +
        "no eventlet use; one that only existed to let green threads run is worth a look when migrating, hence " +
        "the info in a whole-tree run when its comment says so. Background: the TC goal \"Remove Eventlet from OpenStack\" " +
        `(${MIGRATION_LINKS.goal}) wants every deliverable migrated in 2026.2; eventlet's own migration guide is at ` +
        `${MIGRATION_LINKS.migrationGuide}.`,
    },
  },
  // Only code on the threading backend can fire: most files are not, and their facts are cheap to ask.
  admits: async (file) => (await file.facts().concurrencyOf(file.path, file.text)).model === "threading",
  create(context) {
    const facts = context.facts?.();
    const legacy = context.mode === "tree";
    // sleep(0) matters only to the whole-tree to-do list: a review never reports it.
    if (!facts || !(context.imports.importsFrom("eventlet") || (legacy && context.text.includes("sleep(0")))) return {};
    return {
      // No visitors: the model is known only asynchronously, and most code is not on the threading
      // backend, so calls are searched (once, in wasm) only after the facts say it is.
      async "module:exit"() {
        const concurrency = await facts.concurrencyOf(context.path, context.text);
        if (concurrency.model !== "threading") return;
        const candidates: Candidate[] = [];
        const seenImports = new Set<number>();
        for (const record of context.imports.records) {
          const module = record.name ? `${record.module}.${record.name}` : record.module;
          if (!isWithin(record.module, "eventlet") || seenImports.has(record.node.id)) continue;
          seenImports.add(record.node.id);
          candidates.push({ node: record.node, what: `import of ${module}`, instead: "use threading, queue, time or futurist" });
        }
        const root = context.imports.records[0]?.node.tree.rootNode;
        for (const node of root?.descendantsOfType("call") ?? []) {
          if (!node) continue;
          const callee = context.imports.qualify(node.childForFieldName("function"));
          if (!callee) continue;
          if (isWithin(callee, "eventlet") && !isPatching(callee)) {
            candidates.push({ node, what: `${callee}()`, instead: advice(callee) });
          } else if (legacy && callee === "time.sleep" && isZero(positionalArguments(node)[0]) && EVENTLET_REASON.test(ownComment(node))) {
            // time.sleep(0) is no eventlet use: on native threads it releases the GIL. Only one whose
            // own comment says it yields to eventlet is migration leftover, and only for the to-do list.
            candidates.push({ node, what: "time.sleep(0), which its comment says yields to eventlet,", instead: "drop it if it only served green threads (on native threads it just releases the GIL)" });
          }
        }
        const why = whyThreading(concurrency);
        for (const c of candidates) {
          context.report({
            node: c.node,
            severity: legacy ? "info" : undefined,
            message: `${c.what} in code that runs on the threading backend (${why}): ${c.instead}.`,
          });
        }
      },
    };
  },
};
