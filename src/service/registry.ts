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
 *   TransientError). GitHub: set `job.revisionOrder = Date.parse(pull_request.updated_at)` (the push time)
 *   on pull_request events, so a late or redelivered webhook of an older push is refused as `stale` instead
 *   of superseding the newer head (SHAs carry no order; Gerrit patch set numbers are compared already); the service calls `adapter.runJob(job)` for jobs whose `platform` is yours, possibly on
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
import { createGerritAdapter } from "../platforms/gerrit/index.js";
import { createGithubAdapter } from "../platforms/github/index.js";
import type { AdapterFactory } from "./service.js";

/** The service loads this module only when it runs the real platforms (tests pass their own factories). */
export const FACTORIES: readonly AdapterFactory[] = [createGithubAdapter, (env, deps) => createGerritAdapter(env, deps)];
