/**
 * The GitHub App as a service platform: Probot verifies and routes webhooks (`/api/github/webhooks`,
 * signed with WEBHOOK_SECRET), its handlers queue ReviewJobs, and `runJob` reviews a pull request with
 * an installation token. GHE_HOST/GHE_PROTOCOL point every API call at GitHub Enterprise Server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger as PinoLogger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { JobControl, Logger, PlatformAdapter, PlatformDeps, ReviewJob } from "../adapter.js";
import { githubApp } from "./app.js";
import { jobPayload } from "./events.js";
import { MemoryWriteBudget, RedisWriteBudget, type WriteBudget } from "./budget.js";
import { apiErrorReporting, classify, type GithubOctokit } from "./octokit.js";
import { currentHead, reviewPullRequest, type ReviewOutcome } from "./run.js";
import { githubSettings, type GithubSettings } from "./settings.js";
import { JobWrites } from "./writes.js";

export { githubApp } from "./app.js";
export { GithubChangeSource } from "./source.js";
export { GithubPublisher, CHECK_NAME } from "./publisher.js";
export { reviewPullRequest } from "./run.js";
export { githubSettings } from "./settings.js";
export type { GithubOctokit, PullRequestRef } from "./octokit.js";

export interface GithubAdapter extends PlatformAdapter {
  platform: "github";
  handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Runs one job and says what happened (runJob without the answer). */
  review(job: ReviewJob, control?: JobControl): Promise<ReviewOutcome>;
  budget: WriteBudget;
  probot: Probot;
}

export interface GithubAdapterOptions {
  /** Octokit options merged last, e.g. `{ retry: { enabled: false } }` in tests. */
  octokit?: { retry?: Record<string, unknown> };
  /** The installations' write budget (default: in memory; in Redis when the service has REDIS_URL). */
  budget?: WriteBudget;
}

/** The service's factory: undefined when the App is not configured, an Error naming the bad variable. */
export async function createGithubAdapter(env: NodeJS.ProcessEnv, deps: PlatformDeps): Promise<PlatformAdapter | undefined> {
  const settings = githubSettings(env);
  if (!settings) return undefined;
  // One budget for every instance on the same Redis (and queue prefix), as GitHub counts per installation.
  const budget = env.REDIS_URL?.trim() ? new RedisWriteBudget(env.REDIS_URL.trim(), env.QUEUE_PREFIX?.trim() || "eventlet-review") : new MemoryWriteBudget();
  return buildGithubAdapter(settings, deps, { budget });
}

export async function buildGithubAdapter(settings: GithubSettings, deps: PlatformDeps, options: GithubAdapterOptions = {}): Promise<GithubAdapter> {
  const log = deps.logger.child({ platform: "github" });
  const budget = options.budget ?? new MemoryWriteBudget();
  // Octokit's throttling spaces writes a second apart per process and retries rate limits in place; the
  // shared write budget (writes.ts) replaces it, and a rate limit delays the job instead. The retry
  // plugin still retries server errors, but not 429: that is a rate limit too.
  const Octokit = ProbotOctokit.plugin(apiErrorReporting(deps.hooks)).defaults((instance: Record<string, unknown>) => ({
    ...instance,
    throttle: { enabled: false },
    retry: { ...(instance.retry as object), doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451], ...options.octokit?.retry },
  }));
  const probot = new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    baseUrl: settings.baseUrl,
    webhookPath: settings.webhookPath,
    log: probotLogger(log) as unknown as PinoLogger,
    Octokit,
  });
  await probot.load(githubApp({ ...deps, logger: log, budget }), {
    cwd: process.cwd(),
    addHandler: () => {
      throw new Error("the service owns the HTTP server");
    },
  });
  const middleware = await probot.getNodeMiddleware({ path: settings.webhookPath });

  const review = async (job: ReviewJob, control?: JobControl): Promise<ReviewOutcome> => {
    const p = jobPayload(job);
    let octokit: GithubOctokit;
    try {
      octokit = (await probot.auth(p.installationId)) as unknown as GithubOctokit;
    } catch (error) {
      throw classify(error, `authenticating as installation ${p.installationId}`);
    }
    const writes = new JobWrites(budget, p.installationId);
    writes.meter(octokit as unknown as Parameters<JobWrites["meter"]>[0]);
    const request = { owner: p.owner, repo: p.repo, pullNumber: p.pullNumber, headSha: p.headSha, baseSha: p.baseSha, draft: p.draft, recheck: job.recheck === true };
    const jobLog = log.child({ eventId: job.eventId, trigger: p.trigger });
    const head = await currentHead(octokit, request);
    if (!head.current) {
      jobLog.info({ repository: `${p.owner}/${p.repo}`, pull: p.pullNumber, sha: p.headSha, reason: head.reason }, "review skipped");
      return { status: "skipped", reason: head.reason };
    }
    const outcome = await reviewPullRequest(
      octokit,
      { ...request, draft: head.draft },
      { logger: jobLog, hooks: deps.hooks, superseded: control?.superseded, reserveWrites: (n) => writes.reserve(n) },
    );
    jobLog.info({ writes: writes.sent, status: outcome.status }, "job done");
    return outcome;
  };

  return {
    platform: "github",
    probot,
    async handleHttp(req, res) {
      return (await middleware(req, res)) === true;
    },
    review,
    budget,
    async runJob(job, control) {
      await review(job, control);
    },
    async stop() {
      await budget.close();
    },
  };
}

/** Probot expects pino; the service's Logger is the pino subset, so fill in trace/fatal. */
function probotLogger(logger: Logger): Record<string, unknown> {
  return {
    level: "info",
    trace: logger.debug.bind(logger),
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    warn: logger.warn.bind(logger),
    error: logger.error.bind(logger),
    fatal: logger.error.bind(logger),
    child: (bindings: Record<string, unknown>) => probotLogger(logger.child(bindings)),
  };
}
