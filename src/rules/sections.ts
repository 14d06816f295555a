/** Citation targets: the published pages of the OpenStack Eventlet Best Practices spec and their anchors. */
import type { SpecSection } from "../model/finding.js";

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
  // The migration off eventlet (rules EVL5xx): the removal guide, oslo.service's backend docs, the TC goal.
  postMigration: {
    title: "Eventlet removal guide: Post-Migration Guidance",
    url: "https://removal.eventlet.org/guide/post-migration-guidance",
  },
  backendSystem: {
    title: "oslo.service Backend System: How It Works",
    url: "https://docs.openstack.org/oslo.service/latest/user/backend.html#how-it-works",
  },
  removeEventletGoal: {
    title: "Remove Eventlet from OpenStack (TC goal): Completion Criteria",
    url: "https://governance.openstack.org/tc/goals/selected/remove-eventlet.html#completion-criteria",
  },
} satisfies Record<string, SpecSection>;

/** Further reading the EVL5xx rule pages link to. */
export const MIGRATION_LINKS = {
  migrationGuide: "https://eventlet.readthedocs.io/en/latest/asyncio/migration.html#migrating-off-of-eventlet",
  removalGuide: "https://removal.eventlet.org/",
  goal: "https://governance.openstack.org/tc/goals/selected/remove-eventlet.html",
  osloServiceNotes2025_1: "https://docs.openstack.org/releasenotes/oslo.service/2025.1.html",
  osloMessagingNotes2025_1: "https://docs.openstack.org/releasenotes/oslo.messaging/2025.1.html",
};
