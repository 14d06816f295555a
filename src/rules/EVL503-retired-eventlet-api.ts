import type { Node } from "web-tree-sitter";
import { isWithin } from "../python/imports.js";
import { calleeName, isDocstring, keywordValue, positionalArguments, stringText } from "../python/syntax.js";
import type { Severity } from "../model/finding.js";
import { describeVersion } from "../facts/describe.js";
import { atLeast, type TrackedPackage } from "../facts/versions.js";
import { MIGRATION_LINKS, SECTIONS } from "./sections.js";
import type { Rule, Visitors } from "./types.js";

/** An API the eventlet removal retires, and the versions of its package that matter. */
export interface RetiredApi {
  id: "heartbeat_in_pthread" | "eventlet-executor" | "oslo_service-module";
  package: TrackedPackage;
  deprecatedIn: string;
  /** Undefined while no release has removed it. */
  removedIn?: string;
  /** What to do instead, for the message. */
  instead: string;
}

export const RETIRED: Record<RetiredApi["id"], RetiredApi> = {
  heartbeat_in_pthread: {
    id: "heartbeat_in_pthread",
    package: "oslo.messaging",
    deprecatedIn: "14.9.0",
    removedIn: "18.0.0",
    instead: "remove the option, since from 18.0.0 on the RabbitMQ driver always runs its heartbeat in a native thread",
  },
  "eventlet-executor": {
    id: "eventlet-executor",
    package: "oslo.messaging",
    deprecatedIn: "16.0.0",
    instead: "use executor='threading'",
  },
  "oslo_service-module": {
    id: "oslo_service-module",
    package: "oslo.service",
    deprecatedIn: "4.1.0",
    instead: "",
  },
};

const WSGI = "oslo_service.wsgi";

/**
 * oslo.service modules deprecated in 4.1.0 for removal in 2026.2, with their replacement. Of
 * `oslo_service.wsgi` only the eventlet `Server` class stays deprecated (the module itself was
 * undeprecated in a later 2025.1 release: it also holds Loader, Router, Request and config options).
 */
const OSLO_SERVICE_MODULES: Record<string, string> = {
  "oslo_service.wsgi.Server": "serve the WSGI application with uwsgi or mod_wsgi",
  "oslo_service.eventlet_backdoor": "drop the backdoor (it is unmaintained)",
  "oslo_service.sslutils": "terminate TLS in the WSGI server or use the ssl module directly",
  "oslo_service.fixtures": "drop the fixture or copy what the tests need",
};

const MESSAGING_FACTORIES = new Set(["get_rpc_server", "get_notification_listener", "get_batch_notification_listener"]);

export interface Verdict {
  severity: Severity;
  /** "deprecated since 14.9.0 and removed in 18.0.0" and the like. */
  status: string;
}

/** The severity a retired API gets at `version` (undefined when the version predates the deprecation). */
export function verdict(api: RetiredApi, version: string | undefined): Verdict | undefined {
  const lifecycle = `deprecated in ${api.package} ${api.deprecatedIn}${api.removedIn ? ` and removed in ${api.removedIn}` : ""}`;
  if (version === undefined) return { severity: "info", status: `${lifecycle}; the version in use is unknown (pin it under \`versions:\` in .eventlet-review.yaml)` };
  if (api.removedIn && atLeast(version, api.removedIn)) return { severity: "error", status: `removed in ${api.package} ${api.removedIn}` };
  if (atLeast(version, api.deprecatedIn)) return { severity: "warning", status: lifecycle };
  return undefined;
}

interface Use {
  node: Node;
  api: RetiredApi;
  what: string;
  instead: string;
}

export const retiredEventletApi: Rule = {
  meta: {
    id: "EVL503",
    name: "retired-eventlet-api",
    severity: "warning",
    enabledByDefault: true,
    section: SECTIONS.removeEventletGoal,
    triggers: ["heartbeat_in_pthread", "executor", "oslo_service"],
    summary: "An option or module the project's oslo versions deprecate or removed along with eventlet.",
    docs: {
      what:
        "Flags what the eventlet removal retires, judged against the versions the project uses (see " +
        "`eventlet-review facts`): the oslo.messaging option `heartbeat_in_pthread` (a keyword argument, an " +
        "option name in a string, or an attribute read), deprecated in 14.9.0 and removed in 18.0.0; " +
        "`executor='eventlet'` given to oslo.messaging's server and listener factories, deprecated since 16.0.0; " +
        "imports of `oslo_service.eventlet_backdoor`, `oslo_service.sslutils` and `oslo_service.fixtures`, and uses " +
        "of the eventlet WSGI server `oslo_service.wsgi.Server`, deprecated in oslo.service 4.1.0 for removal in 2026.2. A warning where the " +
        "version in use deprecates the API, an error where it removed it, nothing where the version predates the " +
        "deprecation, and info where no version is known.",
      why:
        "The TC goal \"Remove Eventlet from OpenStack\" retires eventlet from oslo in 2027.1, and the libraries " +
        "remove their eventlet-only features on the way. Code that still sets a removed option fails at start-up " +
        "(oslo.config rejects unknown options passed to `set_override`) or silently does nothing in a config " +
        "file; code that imports a removed module fails on import. Advice must match the version in use: telling a " +
        "project on oslo.messaging 14.0 to drop `heartbeat_in_pthread` would be wrong, since there it is the fix " +
        "for mod_wsgi/uwsgi (EVL401).",
      example:
        "# requirements.txt: oslo.messaging>=18.0.0\nfrom oslo_config import cfg\n\n" +
        "cfg.CONF.set_override('heartbeat_in_pthread', True, group='oslo_messaging_rabbit')\n",
      useInstead: "# nothing to set: the RabbitMQ heartbeat always runs in a native thread\n",
      notes:
        "Release notes: oslo.messaging deprecated `heartbeat_in_pthread` in 14.9.0 and removed it in 18.0.0 " +
        `(2026.2); it deprecated the eventlet executor in 16.0.0 (${MIGRATION_LINKS.osloMessagingNotes2025_1}). ` +
        "oslo.service 4.1.0 deprecated `wsgi`, `eventlet_backdoor`, `sslutils` and `fixtures` for removal in " +
        `2026.2 (${MIGRATION_LINKS.osloServiceNotes2025_1}); a later 2025.1 release undeprecated the \`wsgi\` ` +
        "module and kept only its eventlet `Server` class deprecated, so only `Server` is flagged. A project is never " +
        "told about its own distribution (its `pyproject.toml` `[project] name` or `setup.cfg` `[metadata] name`): " +
        "oslo.messaging declaring and testing `heartbeat_in_pthread`, or oslo.service testing its own `wsgi.Server`, " +
        "gets nothing. No oslo.service release number for the removal is known yet, " +
        "so those imports are warnings, never errors. Versions come from `upper-constraints.txt`, " +
        "`requirements.txt`, `setup.cfg` or `pyproject.toml` at the project root (a range counts by its lower " +
        "bound), or from `versions:` in the config.",
    },
  },
  create(context) {
    const facts = context.facts?.();
    if (!facts) return {};
    const uses: Use[] = [];
    const lines = new Set<string>();
    const heartbeat = (node: Node, what: string) => {
      const key = `heartbeat:${node.startPosition.row}`;
      if (lines.has(key)) return;
      lines.add(key);
      uses.push({ node, api: RETIRED.heartbeat_in_pthread, what, instead: RETIRED.heartbeat_in_pthread.instead });
    };
    const eventletExecutor = (node: Node, what: string) => {
      uses.push({ node, api: RETIRED["eventlet-executor"], what, instead: RETIRED["eventlet-executor"].instead });
    };
    const visitors: Visitors = {
      keyword_argument(node) {
        const name = node.childForFieldName("name")?.text;
        if (name === "heartbeat_in_pthread") heartbeat(node, "heartbeat_in_pthread");
        if (name === "executor") {
          const value = keywordValue(node);
          if (value?.type === "string" && stringText(value) === "eventlet") eventletExecutor(node, "executor='eventlet'");
        }
      },
      string(node) {
        if (stringText(node) === "heartbeat_in_pthread" && !isDocstring(node)) heartbeat(node, "the heartbeat_in_pthread option");
      },
      attribute(node) {
        if (node.childForFieldName("attribute")?.text === "heartbeat_in_pthread") heartbeat(node, "heartbeat_in_pthread");
      },
      call(node) {
        const name = calleeName(node.childForFieldName("function"));
        if (!name || !MESSAGING_FACTORIES.has(name)) return;
        const executor = positionalArguments(node)[3];
        if (executor?.type === "string" && stringText(executor) === "eventlet") eventletExecutor(executor, "the 'eventlet' executor");
      },
      async "module:exit"() {
        const seen = new Set<string>();
        let importsWsgi = false;
        for (const record of context.imports.records) {
          const full = record.name ? `${record.module}.${record.name}` : record.module;
          if (isWithin(full, WSGI) || isWithin(record.module, WSGI)) {
            importsWsgi = true;
            if (full !== `${WSGI}.Server`) continue; // only the Server class stays deprecated
          }
          const module = full === `${WSGI}.Server` ? `${WSGI}.Server` : Object.keys(OSLO_SERVICE_MODULES).find((m) => isWithin(full, m) || isWithin(record.module, m));
          const key = `${record.node.id}:${module}`;
          if (!module || seen.has(key)) continue;
          seen.add(key);
          const what = module === `${WSGI}.Server` ? `${WSGI}.Server` : `import of ${module}`;
          uses.push({ node: record.node, api: RETIRED["oslo_service-module"], what, instead: OSLO_SERVICE_MODULES[module] });
        }
        // `wsgi.Server(...)` through a module import: the uses of the class, not the import.
        const root = context.imports.records[0]?.node.tree.rootNode;
        if (importsWsgi && root && context.text.includes("Server")) {
          for (const node of root.descendantsOfType("attribute")) {
            if (node?.childForFieldName("attribute")?.text !== "Server") continue;
            if (context.imports.qualify(node) === `${WSGI}.Server`) {
              uses.push({ node, api: RETIRED["oslo_service-module"], what: `${WSGI}.Server`, instead: OSLO_SERVICE_MODULES[`${WSGI}.Server`] });
            }
          }
        }
        if (uses.length === 0) return;
        const versions = await facts.versions();
        for (const use of uses) {
          const fact = versions[use.api.package];
          const judged = verdict(use.api, fact?.version);
          if (!judged) continue;
          const inUse = fact ? `, and this project uses ${describeVersion(fact)}` : "";
          context.report({ node: use.node, subject: use.api.package, severity: judged.severity, message: `${use.what} is ${judged.status}${inUse}: ${use.instead}.` });
        }
      },
    };
    // Listen only for what the text can hold: attribute and string nodes are everywhere.
    const mayHeartbeat = context.text.includes("heartbeat_in_pthread");
    const mayExecutor = context.text.includes("'eventlet'") || context.text.includes('"eventlet"');
    if (!mayHeartbeat) {
      delete visitors.string;
      delete visitors.attribute;
    }
    if (!mayExecutor) delete visitors.call;
    if (!mayHeartbeat && !mayExecutor) delete visitors.keyword_argument;
    return visitors;
  },
};
