/** Every rule, in id order. Adding a rule means adding its module here; docs and the CLI follow. */
import { monkeyPatchNotFirst } from "./EVL101-monkey-patch-not-first.js";
import { monkeyPatchInLibrary } from "./EVL102-monkey-patch-in-library.js";
import { monkeyPatchInWsgi } from "./EVL103-monkey-patch-in-wsgi.js";
import { monkeyPatchThreadDisabled } from "./EVL104-monkey-patch-thread-disabled.js";
import { monkeyPatchWithoutOptOut } from "./EVL105-monkey-patch-without-opt-out.js";
import { greenUnawareSubprocess } from "./EVL201-green-unaware-subprocess.js";
import { eventletUnfriendlyDbDriver } from "./EVL301-eventlet-unfriendly-db-driver.js";
import { heartbeatInGreenThread } from "./EVL401-heartbeat-in-green-thread.js";
import { eventletInThreadingCode } from "./EVL501-eventlet-in-threading-code.js";
import { mixedConcurrencyBackends } from "./EVL502-mixed-concurrency-backends.js";
import { retiredEventletApi } from "./EVL503-retired-eventlet-api.js";
import type { Rule } from "./types.js";

export const ALL_RULES: readonly Rule[] = [
  monkeyPatchNotFirst,
  monkeyPatchInLibrary,
  monkeyPatchInWsgi,
  monkeyPatchThreadDisabled,
  monkeyPatchWithoutOptOut,
  greenUnawareSubprocess,
  eventletUnfriendlyDbDriver,
  heartbeatInGreenThread,
  eventletInThreadingCode,
  mixedConcurrencyBackends,
  retiredEventletApi,
];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.meta.id === id.toUpperCase());
}
