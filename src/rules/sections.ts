/** Citation targets (shared/reference/eventlet.md): the published spec pages and their anchors. */
import type { SpecSection } from "../analyzer/types.js";

const BEST_PRACTICES = "https://specs.openstack.org/openstack/openstack-specs/specs/eventlet-best-practices.html";
const HEARTBEAT_SPEC =
  "https://opendev.org/openstack/oslo-specs/src/commit/a26df0f3ce7249cba1244530bb61873b786683e5/specs/train/amqp-rabbitmq-heartbeat-isolated-pthread.rst";

export const SECTIONS = {
  monkeyPatching: { title: "Eventlet Best Practices: Monkey Patching", url: `${BEST_PRACTICES}#monkey-patching` },
  greenthreadAwareModules: {
    title: "Eventlet Best Practices: Greenthread-aware Modules",
    url: `${BEST_PRACTICES}#greenthread-aware-modules`,
  },
  databaseDrivers: { title: "Eventlet Best Practices: Database Drivers", url: `${BEST_PRACTICES}#database-drivers` },
  monkeyPatchSanity: {
    title: "Eventlet Best Practices: Tools for Ensuring Monkey Patch Sanity",
    url: `${BEST_PRACTICES}#tools-for-ensuring-monkey-patch-sanity`,
  },
  heartbeatProposedChange: {
    title: "Run the rabbitmq heartbeat in a python standard thread (oslo-specs, proposed): Proposed change",
    url: HEARTBEAT_SPEC,
  },
} satisfies Record<string, SpecSection>;
