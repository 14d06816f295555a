/**
 * Wiring of the platforms into the service. The one place that imports platform code.
 *
 * Contract for the platform folders (GitHub App, Gerrit bot), read by their authors:
 *
 *   // src/platforms/github/index.ts
 *   export async function createGithubAdapter(env: NodeJS.ProcessEnv, deps: PlatformDeps): Promise<PlatformAdapter | undefined>
 *   // src/platforms/gerrit/index.ts
 *   export async function createGerritAdapter(env: NodeJS.ProcessEnv, deps: PlatformDeps): Promise<PlatformAdapter | undefined>
 *
 * - Return `undefined` when the platform is not configured at all (none of its variables set).
 * - Throw an `Error` whose message is one line naming the bad or missing variable
 *   (`GERRIT_URL must be an http(s) URL`) when it is half-configured or wrong; the service prints it and exits 1.
 * - `deps.queue.submit(job)` queues a ReviewJob (dedupe by eventId, supersede by changeKey, retries on
 *   TransientError); the service calls `adapter.runJob(job)` for jobs whose `platform` is yours, possibly on
 *   another instance (Redis mode) and after a restart: `job.payload` must survive JSON.
 * - `handleHttp(req, res)` gets every request the service does not answer itself (/healthz, /readyz,
 *   /metrics); return false when the path is not yours. The server has already read the body (at most
 *   WEBHOOK_BODY_LIMIT_BYTES, else it answered 413): `req` is a fresh IncomingMessage that replays it, and
 *   `(req as any).rawBody` is the Buffer (Probot's/@octokit/webhooks' middleware uses it directly).
 *   `readBody(req)` from src/service/http.ts returns it.
 * - `start()`/`stop()` (optional): event sources such as Gerrit stream-events; `stop()` runs on SIGTERM
 *   before the queue drains.
 * - `deps.hooks`: report events received, reviews posted, API errors and analysis time (→ /metrics).
 * - `deps.logger` is pino; the service scrubs secrets from every line, but do not log them anyway.
 */
import type { PlatformAdapter, PlatformDeps } from "./platform.js";

export type AdapterFactory = (env: NodeJS.ProcessEnv, deps: PlatformDeps) => Promise<PlatformAdapter | undefined>;

interface FactorySpec {
  platform: "github" | "gerrit";
  module: string;
  exportName: string;
}

const FACTORIES: FactorySpec[] = [
  { platform: "github", module: "../platforms/github/index.js", exportName: "createGithubAdapter" },
  { platform: "gerrit", module: "../platforms/gerrit/index.js", exportName: "createGerritAdapter" },
];

/** Variables that turn each platform on, for the message printed when none is configured. */
export const PLATFORM_HINT =
  "no platform is configured: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET for the GitHub App, " +
  "and/or GERRIT_URL, GERRIT_USERNAME and GERRIT_HTTP_PASSWORD (plus GERRIT_EVENTS) for the Gerrit bot";

async function loadFactory(spec: FactorySpec): Promise<AdapterFactory | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec.module)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((err as Error).message).includes(`platforms/${spec.platform}/`)) {
      return undefined; // this build has no such platform
    }
    throw err;
  }
  const factory = mod[spec.exportName];
  if (typeof factory !== "function") {
    throw new Error(`src/platforms/${spec.platform}/index.ts does not export ${spec.exportName}()`);
  }
  return factory as AdapterFactory;
}

/** Every configured platform's adapter; throws the platform's one-line configuration error. */
export async function createAdapters(
  env: NodeJS.ProcessEnv,
  deps: PlatformDeps,
  factories?: AdapterFactory[],
): Promise<PlatformAdapter[]> {
  const list = factories ?? (await Promise.all(FACTORIES.map(loadFactory))).filter((f): f is AdapterFactory => !!f);
  const adapters: PlatformAdapter[] = [];
  for (const factory of list) {
    const adapter = await factory(env, deps);
    if (adapter) adapters.push(adapter);
  }
  return adapters;
}
