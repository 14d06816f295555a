/**
 * Version-aware wording for the spec rules: what the eventlet and oslo.messaging in use change about
 * the advice (reference sheet: eventlet patches subprocess from 0.20.0; oslo.messaging deprecated
 * `heartbeat_in_pthread` in 14.9.0 and removed it in 18.0.0, where the heartbeat is always native).
 */
import { describeVersion } from "./describe.js";
import { atLeast, type VersionFact } from "./versions.js";

export const EVENTLET_PATCHES_SUBPROCESS = "0.20.0";
export const HEARTBEAT_DEPRECATED = "14.9.0";
export const HEARTBEAT_REMOVED = "18.0.0";

/**
 * EVL201: why stdlib subprocess stays native even in a patched program, when the eventlet in use (or the
 * lowest one its requirement allows) predates 0.20.0; undefined for today's eventlet or an unknown one.
 */
export function subprocessPredates(eventlet: VersionFact | undefined): string | undefined {
  if (!eventlet || atLeast(eventlet.version, EVENTLET_PATCHES_SUBPROCESS)) return undefined;
  const which = eventlet.exact ? "predates" : "allows releases before";
  return `${describeVersion(eventlet)} ${which} 0.20.0, whose monkey_patch() leaves subprocess native`;
}

export type HeartbeatStage = "option" | "deprecated" | "removed" | "unknown";

export function heartbeatStage(messaging: VersionFact | undefined): HeartbeatStage {
  if (!messaging) return "unknown";
  if (atLeast(messaging.version, HEARTBEAT_REMOVED)) return "removed";
  if (atLeast(messaging.version, HEARTBEAT_DEPRECATED)) return "deprecated";
  return "option";
}

/** EVL401, a heartbeat started as a green thread: a clause about the oslo.messaging option, or "". */
export function heartbeatSpawnClause(messaging: VersionFact | undefined): string {
  switch (heartbeatStage(messaging)) {
    case "option":
      return `; for oslo.messaging's own heartbeat, ${describeVersion(messaging!)} needs [oslo_messaging_rabbit] heartbeat_in_pthread = True under mod_wsgi/uwsgi`;
    case "deprecated":
      return `; oslo.messaging's own heartbeat needs no option (${describeVersion(messaging!)} deprecates heartbeat_in_pthread, 18.0.0 always runs it natively)`;
    case "removed":
      return `; oslo.messaging's own heartbeat is always native in ${describeVersion(messaging!)}`;
    default:
      return "";
  }
}

/** EVL401, `heartbeat_in_pthread` forced to False: the whole message for the version in use. */
export function heartbeatForcedOffMessage(messaging: VersionFact | undefined): string {
  const base =
    "forcing heartbeat_in_pthread to False keeps the AMQP heartbeat on green threads, where mod_wsgi/uwsgi stall it and RabbitMQ drops the connection";
  switch (heartbeatStage(messaging)) {
    case "option":
      return `${base}: with ${describeVersion(messaging!)} set heartbeat_in_pthread = True for services under mod_wsgi/uwsgi instead.`;
    case "deprecated":
      return `${base}, and ${describeVersion(messaging!)} deprecates the option (removed in 18.0.0): remove the override.`;
    case "removed":
      return `heartbeat_in_pthread no longer exists in ${describeVersion(messaging!)}, which always runs the RabbitMQ heartbeat in a native thread: the option must go.`;
    default:
      return `${base}: remove the override.`;
  }
}
