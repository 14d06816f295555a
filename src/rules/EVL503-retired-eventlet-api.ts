import type { Node } from "web-tree-sitter";
import { isWithin } from "../python/imports.js";
import { calleeName, isDocstring, keywordValue, positionalArguments, stringText } from "../python/syntax.js";
import type { Severity } from "../model/finding.js";
import { describeRange, describeVersion, describeVersionSource } from "../facts/describe.js";
import { allowsFrom, atLeast, type TrackedPackage, type VersionFact } from "../facts/versions.js";
import { MIGRATION_LINKS, SECTIONS } from "./sections.js";
import type { Rule, Visitors } from "./types.js";
import { code, text } from "./triggers.js";
import { codeText } from "../python/code-text.js";
import { onTopLevelImportLine } from "../python/import-view.js";

/** An API the eventlet removal retires, and the versions of its package that matter. */
export interface RetiredApi {
  id: "heartbeat_in_pthread" | "eventlet-executor" | "executor-parameter" | "oslo_service-module";
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
  // oslo.messaging 16.0.0 (release note deprecate-eventlet-executor) deprecates both the eventlet
  // executor and the `executor` parameter itself: threading will be the only model.
  "eventlet-executor": {
    id: "eventlet-executor",
    package: "oslo.messaging",
    deprecatedIn: "16.0.0",
    instead: "move the service to threading and drop the executor argument, a parameter that is deprecated too",
  },
  "executor-parameter": {
    id: "executor-parameter",
    package: "oslo.messaging",
    deprecatedIn: "16.0.0",
    instead: "drop the argument: threading is the only executor that stays, and the default once the process no longer monkey-patches",
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
  // The module is `fixture` (singular); the 4.1.0 release note misspells it `fixtures`.
  "oslo_service.fixture": "drop the fixture or copy what the tests need",
};

/**
 * An import that names one of the retired oslo.service modules: `import oslo_service.wsgi`, `from
 * oslo_service.fixture import …`, `from oslo_service import (loopingcall, wsgi)`, continued lines too.
 * (`import oslo_service` alone never names them: the rule reads import records, not attribute chains.)
 */
const RETIRED_MODULE_IMPORT =
  /\boslo_service\s*\.\s*(?:wsgi|eventlet_backdoor|sslutils|fixture)\b|\bfrom\s+oslo_service\s+import\s*(?:\([^)]*|(?:\\\r?\n|[^\n])*)\b(?:wsgi|eventlet_backdoor|sslutils|fixture)\b/;

/** Every retired-module import of a text (matchAll). */
const RETIRED_MODULE_IMPORTS = new RegExp(RETIRED_MODULE_IMPORT.source, "g");

/** The executor names the rule judges, as string literals. */
const EXECUTOR_NAME = /['"](?:eventlet|threading)['"]/;

/** Text without which no executor argument can be judged (the visitors below listen only then). */
const EXECUTOR_LITERALS = ["'eventlet'", '"eventlet"', "'threading'", '"threading"'];

/**
 * Whether only import statements at column 0 can hold a finding: no option or executor text, and every
 * retired-module import a top-level statement of its own line, none of `wsgi` (whose `Server` is
 * found among the attributes of the whole tree).
 */
function importsOnly(text: string): boolean {
  if (text.includes("heartbeat_in_pthread") || EXECUTOR_LITERALS.some((t) => text.includes(t))) return false;
  const code = codeText(text);
  for (const match of code.matchAll(RETIRED_MODULE_IMPORTS)) {
    if (match[0].includes("wsgi") || !onTopLevelImportLine(code, match.index)) return false;
  }
  return true;
}

const MESSAGING_FACTORIES = new Set(["get_rpc_server", "get_notification_listener", "get_batch_notification_listener"]);

export interface Verdict {
  severity: Severity;
  /** What the API's lifecycle means for the project's versions, naming the bound that decided. */
  status: string;
}

/** `oslo.messaging >= 14.1.0 at requirements.txt:3`, for inside parentheses. */
function inline(fact: VersionFact): string {
  return `${fact.package} ${describeRange(fact)} at ${describeVersionSource(fact)}`;
}

/**
 * The severity a retired API gets under the project's versions (undefined when they all predate the
 * deprecation). A pin is one release; a range allows every release from its floor to its upper bound:
 * a removal at or below the floor is an error, a deprecation or removal inside the range a warning.
 */
export function verdict(api: RetiredApi, fact: VersionFact | undefined): Verdict | undefined {
  const removal = api.removedIn ? ` and removed in ${api.removedIn}` : "";
  const lifecycle = `deprecated in ${api.package} ${api.deprecatedIn}${removal}`;
  if (!fact) return { severity: "info", status: `${lifecycle}; the version in use is unknown (pin it under \`versions:\` in .eventlet-review.yaml)` };
  const removed = api.removedIn !== undefined && atLeast(fact.version, api.removedIn);
  if (fact.exact) {
    if (removed) return { severity: "error", status: `removed in ${api.package} ${api.removedIn}, and this project pins ${describeVersion(fact)}` };
    if (atLeast(fact.version, api.deprecatedIn)) return { severity: "warning", status: `${lifecycle}, and this project pins ${describeVersion(fact)}` };
    return undefined;
  }
  const range = `(${inline(fact)})`;
  if (removed) return { severity: "error", status: `removed in ${api.package} ${api.removedIn}, at or below the floor of your requirements ${range}` };
  if (api.removedIn && allowsFrom(fact, api.removedIn)) return { severity: "warning", status: `${lifecycle}, which your requirements allow ${range}` };
  // From here on the range stops below any removal.
  const stops = api.removedIn ? `; your requirements stop below its removal in ${api.removedIn}` : "";
  const deprecated = `deprecated in ${api.package} ${api.deprecatedIn}`;
  if (atLeast(fact.version, api.deprecatedIn)) return { severity: "warning", status: `${deprecated}, at or below the floor of your requirements${stops} ${range}` };
  if (allowsFrom(fact, api.deprecatedIn)) return { severity: "warning", status: `${deprecated}, which your requirements allow${stops} ${range}` };
  return undefined; // the upper bound stops before the deprecation
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
    triggers: [
      [text(/heartbeat_in_pthread/)],
      [code(/\bexecutor\s*=/), text(EXECUTOR_NAME)],
      [code(/\b(?:get_rpc_server|get_notification_listener|get_batch_notification_listener)\b/), text(EXECUTOR_NAME)],
      [code(RETIRED_MODULE_IMPORT)],
    ],
    summary: "An option or module the project's oslo versions deprecate or removed along with eventlet.",
    docs: {
      what:
        "Flags what the eventlet removal retires, judged against the versions the project allows (see " +
        "`eventlet-review facts`): the oslo.messaging option `heartbeat_in_pthread` (a keyword argument, an " +
        "option name in a string, or an attribute read), deprecated in 14.9.0 and removed in 18.0.0; " +
        "the `executor` argument of oslo.messaging's server and listener factories, deprecated since 16.0.0 " +
        "(`'eventlet'` anywhere, `'threading'` in the factories); imports of `oslo_service.eventlet_backdoor`, " +
        "`oslo_service.sslutils` and `oslo_service.fixture`, and uses of the eventlet WSGI server " +
        "`oslo_service.wsgi.Server`, deprecated in oslo.service 4.1.0 for removal in 2026.2. Versions are ranges: " +
        "`oslo.messaging>=14.1.0` allows every release from 14.1.0 up. A removal at or below the range's floor (or " +
        "at a pin) is an error; a deprecation or removal inside the range is a warning that says so (\"removed in " +
        "18.0.0, which your requirements allow\"); an upper bound (`<18.0.0`), a pin in `upper-constraints.txt`, the " +
        "upper-constraints of the OpenStack series the tree names, or `versions:` narrows the range, and the " +
        "message names the bound that decided. Nothing where the whole range predates the deprecation; info where " +
        "no version is known.",
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
        "Boundaries, checked against the libraries' release notes. oslo.messaging `heartbeat_in_pthread`: added " +
        "in 10.1.0, deprecated in 12.6.0 and undeprecated in 12.11.0 (so 12.x gets nothing), deprecated again in " +
        `14.9.0, removed in 18.0.0 (2026.2). oslo.messaging 16.0.0 (${MIGRATION_LINKS.osloMessagingNotes2025_1}) ` +
        "deprecated the eventlet executor and the `executor` parameter itself (\"only the threading executor will " +
        "remain\"), so `executor='threading'` is flagged too; no release has removed either yet. oslo.service " +
        "4.1.0 deprecated `wsgi`, `eventlet_backdoor`, `sslutils` and `fixture` (the release note spells it " +
        `\`fixtures\`) for removal in 2026.2 (${MIGRATION_LINKS.osloServiceNotes2025_1}); 4.2.2 undeprecated the ` +
        "`wsgi` module and kept only its eventlet `Server` class deprecated, so only `Server` is flagged, and from " +
        "4.4.0 `Server` raises `UnsupportedBackendError` under the threading backend. No oslo.service release has " +
        "removed the modules yet (4.6.0 still ships them), so those are warnings, never errors. A project is never " +
        "told about its own distribution (its `pyproject.toml` `[project] name` or `setup.cfg` `[metadata] name`): " +
        "oslo.messaging declaring and testing `heartbeat_in_pthread`, or oslo.service testing its own `wsgi.Server`, " +
        "gets nothing. Versions come, first match wins, from `versions:` in the config, `upper-constraints.txt` at " +
        "the project root, the upper-constraints of the series that `tox.ini`'s `TOX_CONSTRAINTS_FILE` or " +
        "`.gitreview`'s `defaultbranch` names (a table shipped with eventlet-review), then the ranges in " +
        "`requirements.txt`, `setup.cfg` or `pyproject.toml`. master's pins move, so for master they only cap the " +
        "requirement range from above.",
    },
  },
  importsOnly: (file) => importsOnly(file.text),
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
    const executor = (node: Node, value: string, what: string) => {
      const api = value === "eventlet" ? RETIRED["eventlet-executor"] : RETIRED["executor-parameter"];
      uses.push({ node, api, what, instead: api.instead });
    };
    /** The call an argument belongs to is one of oslo.messaging's server factories. */
    const inFactory = (argument: Node) => {
      const call = argument.parent?.parent;
      return call?.type === "call" && MESSAGING_FACTORIES.has(calleeName(call.childForFieldName("function")) ?? "");
    };
    const visitors: Visitors = {
      keyword_argument(node) {
        const name = node.childForFieldName("name")?.text;
        if (name === "heartbeat_in_pthread") heartbeat(node, "heartbeat_in_pthread");
        if (name === "executor") {
          const value = keywordValue(node);
          const text = value?.type === "string" ? stringText(value) : undefined;
          // 'eventlet' names oslo.messaging's executor wherever it is passed; 'threading' only in its factories.
          if (text === "eventlet") executor(node, text, "executor='eventlet'");
          else if (text === "threading" && inFactory(node)) executor(node, text, "executor='threading'");
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
        const argument = positionalArguments(node)[3];
        const text = argument?.type === "string" ? stringText(argument) : undefined;
        if (text === "eventlet") executor(argument!, text, "the 'eventlet' executor");
        else if (text === "threading") executor(argument!, text, "the 'threading' executor argument");
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
          const judged = verdict(use.api, fact);
          if (!judged) continue;
          context.report({ node: use.node, subject: use.api.package, severity: judged.severity, message: `${use.what} is ${judged.status}: ${use.instead}.` });
        }
      },
    };
    // Listen only for what the text can hold: attribute and string nodes are everywhere.
    const mayHeartbeat = context.text.includes("heartbeat_in_pthread");
    const mayExecutor = EXECUTOR_LITERALS.some((t) => context.text.includes(t));
    if (!mayHeartbeat) {
      delete visitors.string;
      delete visitors.attribute;
    }
    if (!mayExecutor) delete visitors.call;
    if (!mayHeartbeat && !mayExecutor) delete visitors.keyword_argument;
    return visitors;
  },
};
