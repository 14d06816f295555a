import type { Node } from "web-tree-sitter";
import { calleeName, keywordArguments, keywordValue, positionalArguments, stringText } from "../python/syntax.js";
import { SECTIONS } from "./sections.js";
import type { Report, Rule, RuleContext } from "./types.js";
import { heartbeatForcedOffMessage, heartbeatSpawnClause } from "../facts/advice.js";
import { code, EVENTLET, text } from "./triggers.js";

/** Work that keeps a connection alive: heartbeats and health checks. */
const HEARTBEAT = /heart_?beat|health_?check/i;
const GREEN_SPAWNS = new Set([
  "eventlet.spawn", "eventlet.spawn_n", "eventlet.spawn_after",
  "eventlet.greenthread.spawn", "eventlet.greenthread.spawn_n", "eventlet.greenthread.spawn_after",
]);
const NATIVE_HINT = "run it on eventlet.patcher.original('threading').Thread";

/** Messaging client libraries whose connections carry the AMQP heartbeat the spec is about. */
const MESSAGING_MODULES = ["kombu", "amqp", "oslo_messaging", "pika", "proton", "pyngus", "qpid"];
/** oslo.messaging's heartbeat options and driver groups: the heartbeat of a messaging connection. */
const MESSAGING_OPTIONS = /\bheartbeat_(?:timeout_threshold|rate|in_pthread)\b|\boslo_messaging_(?:rabbit|amqp|kafka)\b/;

/**
 * The spec's heartbeat is a messaging connection's: a loop named `heartbeat` in a statistics daemon or a
 * service's own liveness report is not it. The module must talk to a broker (kombu, amqp, oslo.messaging
 * or another client), be oslo.messaging driver code, or read a messaging connection's heartbeat option.
 */
function messagingContext(context: RuleContext): boolean {
  return (
    MESSAGING_MODULES.some((m) => context.imports.importsFrom(m)) ||
    /(^|\/)oslo_messaging\/_drivers\//.test(context.path) ||
    MESSAGING_OPTIONS.test(context.text)
  );
}

/** messagingContext before the parse: an import of a messaging module names it in the text. */
const MESSAGING_NAME = new RegExp(`\\b(?:${MESSAGING_MODULES.join("|")})\\b`);

function isFalse(node: Node | null | undefined): boolean {
  return node?.type === "false";
}

/** The callable a spawn call runs: `spawn(fn, …)`, `spawn_after(seconds, fn, …)`. */
function spawnedWork(call: Node, callee: string): Node | null {
  const args = positionalArguments(call);
  return (callee.endsWith("spawn_after") ? args[1] : args[0]) ?? null;
}

function reportForcedOff(context: RuleContext, node: Node): void {
  context.report({
    node,
    message: heartbeatForcedOffMessage(undefined),
  });
}

export const heartbeatInGreenThread: Rule = {
  meta: {
    id: "EVL401",
    name: "heartbeat-in-green-thread",
    severity: "warning",
    enabledByDefault: true,
    section: SECTIONS.heartbeatProposedChange,
    triggers: [[EVENTLET, code(HEARTBEAT)], [text(/heartbeat_in_pthread/)]],
    summary: "A heartbeat or health-check loop started as a green thread, or heartbeat_in_pthread forced off.",
    docs: {
      what:
        "Flags a messaging connection's heartbeat or health-check loop (a callable whose name contains " +
        "`heartbeat` or `health_check`) started as a green thread: `eventlet.spawn*`, `greenthread.spawn*`, or a " +
        "pool's `spawn`/`spawn_n` in a module that imports eventlet; or started with `threading.Thread` in a " +
        "module that imports eventlet, where the thread is green once the program patches. The module must be " +
        "messaging code: it imports kombu, amqp, oslo.messaging (or another broker client: pika, proton, pyngus, " +
        "qpid), it is oslo.messaging driver code (`oslo_messaging/_drivers/`), or it reads a messaging " +
        "connection's heartbeat option (`heartbeat_timeout_threshold`, `heartbeat_rate`, `heartbeat_in_pthread`, " +
        "the `oslo_messaging_rabbit` group). A loop named `heartbeat` elsewhere (a statistics daemon, a service's " +
        "own liveness report) is not the AMQP heartbeat and is not flagged. Also flags code that forces " +
        "oslo.messaging's `heartbeat_in_pthread` option to False (outside tests).",
      why:
        "The oslo.messaging spec explains that a heartbeat that inherits its parent's execution model breaks " +
        "under mod_wsgi and uwsgi: the server suspends the embedded interpreter between requests, so a green " +
        "heartbeat cannot run until a request arrives, and RabbitMQ closes the connection for missed heartbeats. " +
        "A health check needs no concurrency with the application; the proposed change is to always run it in a " +
        "native thread.",
      example:
        "import eventlet\nimport kombu\n\nclass Connection:\n    def start(self):\n        eventlet.spawn(self._heartbeat_loop)\n",
      useInstead:
        "import eventlet\nimport kombu\n\nthreading = eventlet.patcher.original('threading')\n\nclass Connection:\n" +
        "    def start(self):\n        threading.Thread(target=self._heartbeat_loop, daemon=True).start()\n",
      notes:
        "What oslo.messaging implemented instead of the spec is the `heartbeat_in_pthread` option: added in " +
        "10.1.0, default True in 12.6.0, default False again in 14.0.0, deprecated in 14.9.0 and removed in " +
        "18.0.0, where the RabbitMQ driver always runs its heartbeat in a native thread. The finding's advice follows " +
        "the oslo.messaging version the project uses: below 14.9.0, set `heartbeat_in_pthread = True` for services " +
        "under mod_wsgi/uwsgi; from 14.9.0 to 17.x the option is deprecated; from 18.0.0 on it is gone and must be removed.",
    },
  },
  // A green heartbeat needs a messaging module; heartbeat_in_pthread forced off needs code that is no test's.
  admits: ({ path, text, roles }) =>
    (!roles.test && text.includes("heartbeat_in_pthread")) || MESSAGING_NAME.test(text) || /(^|\/)oslo_messaging\/_drivers\//.test(path) || MESSAGING_OPTIONS.test(text),
  create(outer) {
    // Version-aware wording: findings wait for module:exit, where the oslo.messaging in use is known.
    const pending: Report[] = [];
    const context: RuleContext = { ...outer, report: (report) => pending.push(report) };
    const { imports } = context;
    // A heartbeat started as a green thread matters only on a messaging connection (see messagingContext).
    const usesEventlet = imports.importsFrom("eventlet") && messagingContext(outer);
    return {
      call(node) {
        const fn = node.childForFieldName("function");
        const callee = imports.qualify(fn);
        if (usesEventlet) {
          const method = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : undefined;
          const greenSpawn = (callee && GREEN_SPAWNS.has(callee)) || (!callee && (method === "spawn" || method === "spawn_n"));
          if (greenSpawn) {
            const name = calleeName(spawnedWork(node, callee ?? method ?? ""));
            if (name && HEARTBEAT.test(name)) {
              context.report({
                node,
                message: `${name} runs as a green thread, which mod_wsgi/uwsgi suspend with the interpreter, so the heartbeat stops: ${NATIVE_HINT}.`,
              });
            }
            return;
          }
          if (callee === "threading.Thread") {
            const target = keywordArguments(node).get("target");
            const name = calleeName(target ? keywordValue(target) : (positionalArguments(node)[1] ?? null));
            if (name && HEARTBEAT.test(name)) {
              context.report({
                node,
                message: `threading.Thread is a green thread once eventlet patches, so ${name} stalls under mod_wsgi/uwsgi: ${NATIVE_HINT}.`,
              });
            }
            return;
          }
        }
        if (context.roles.test) return;
        // conf.set_override('heartbeat_in_pthread', False, group=...)
        if (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "set_override") {
          const [option, value] = positionalArguments(node);
          if (option?.type === "string" && stringText(option) === "heartbeat_in_pthread" && isFalse(value)) reportForcedOff(context, node);
        }
      },
      keyword_argument(node) {
        if (context.roles.test) return;
        if (node.childForFieldName("name")?.text === "heartbeat_in_pthread" && isFalse(keywordValue(node))) reportForcedOff(context, node);
      },
      assignment(node) {
        if (context.roles.test) return;
        const left = node.childForFieldName("left");
        const name = left?.type === "attribute" ? left.childForFieldName("attribute")?.text : left?.text;
        if (name === "heartbeat_in_pthread" && isFalse(node.childForFieldName("right"))) reportForcedOff(context, node);
      },
      async "module:exit"() {
        if (pending.length === 0) return;
        const messaging = await outer.facts?.().version("oslo.messaging");
        const forcedOff = heartbeatForcedOffMessage(undefined);
        for (const report of pending) {
          const message = report.message === forcedOff ? heartbeatForcedOffMessage(messaging) : report.message.replace(/\.$/, `${heartbeatSpawnClause(messaging)}.`);
          outer.report({ ...report, message });
        }
      },
      pair(node) {
        if (context.roles.test) return;
        const key = node.childForFieldName("key");
        if (key?.type === "string" && stringText(key) === "heartbeat_in_pthread" && isFalse(node.childForFieldName("value"))) {
          reportForcedOff(context, node);
        }
      },
    };
  },
};
