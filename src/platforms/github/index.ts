/**
 * The GitHub App as a service platform: Probot verifies and routes webhooks (`/api/github/webhooks`,
 * signed with WEBHOOK_SECRET), its handlers queue ReviewJobs, and `runJob` reviews a pull request with
 * an installation token. GHE_HOST/GHE_PROTOCOL point every API call at GitHub Enterprise Server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger as PinoLogger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { JobControl, Logger, PlatformAdapter, PlatformDeps, ReviewJob } from "../adapter.js";
import { AppSlug, githubApp, type AppAuth, RECHECK_WINDOW_MS, REFUSAL_REPLY_WINDOW_MS } from "./app.js";
import { onePerChange, RedisRecheckLimiter, type RecheckLimiter } from "../recheck-limit.js";
import { jobPayload } from "./events.js";
import { MemoryWriteBudget, RedisWriteBudget, type WriteBudget } from "./budget.js";
import { describeFailure } from "../failure.js";
import { apiErrorReporting, apiFailure, classify, type GithubOctokit } from "./octokit.js";
import { currentHead, reviewPullRequest, type ReviewOutcome } from "./run.js";
import { githubSettings, type GithubSettings } from "./settings.js";
import { JobWrites } from "./writes.js";
import { pollPull } from "./feedback.js";
import { budgetStatus } from "./status.js";

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
  /** Reads the reactions on our comments of the pull requests reviewed lately (the timer runs it). */
  pollFeedback(): Promise<number>;
}

export interface GithubAdapterOptions {
  /** The installations' write budget (default: in memory; in Redis when the service has REDIS_URL). */
  budget?: WriteBudget;
  /** How often `start()`'s credentials check (GET /app with the App's JWT) runs again, in ms (default 10 min). */
  appCheckMs?: number;
  /** Seconds between reaction polls (GITHUB_FEEDBACK_POLL_SECONDS, default 900; 0: no timer). */
  feedbackPollSeconds?: number;
  /** The recheck limits (default: in memory; in Redis when the service has REDIS_URL). */
  rechecks?: RecheckLimiter;
  refusalReplies?: RecheckLimiter;
}

/** Pull requests reviewed within this many days have their reactions polled. */
const POLL_DAYS = 14;

/** The service's factory: undefined when the App is not configured, an Error naming the bad variable. */
export async function createGithubAdapter(env: NodeJS.ProcessEnv, deps: PlatformDeps): Promise<PlatformAdapter | undefined> {
  const settings = githubSettings(env);
  if (!settings) return undefined;
  // One budget for every instance on the same Redis (and queue prefix), as GitHub counts per installation.
  // So are the recheck limits: a comment loop is refused whichever instance gets its webhooks.
  const poll = Number(env.GITHUB_FEEDBACK_POLL_SECONDS?.trim() || 900);
  if (!Number.isInteger(poll) || poll < 0) throw new Error("GITHUB_FEEDBACK_POLL_SECONDS must be a whole number of seconds (0: no polling)");
  const redis = env.REDIS_URL?.trim();
  const prefix = env.QUEUE_PREFIX?.trim() || "eventlet-review";
  if (!redis) return buildGithubAdapter(settings, deps, { budget: new MemoryWriteBudget(), feedbackPollSeconds: poll });
  return buildGithubAdapter(settings, deps, {
    budget: new RedisWriteBudget(redis, prefix),
    rechecks: new RedisRecheckLimiter(redis, `${prefix}:github:recheck`, onePerChange(RECHECK_WINDOW_MS)),
    refusalReplies: new RedisRecheckLimiter(redis, `${prefix}:github:recheck-refusal`, onePerChange(REFUSAL_REPLY_WINDOW_MS)),
    feedbackPollSeconds: poll,
  });
}

export async function buildGithubAdapter(settings: GithubSettings, deps: PlatformDeps, options: GithubAdapterOptions = {}): Promise<GithubAdapter> {
  const log = deps.logger.child({ platform: "github" });
  const budget = options.budget ?? new MemoryWriteBudget();
  // One retry layer, the queue's: Octokit's throttling (writes a second apart per process, rate limits
  // retried in place) and its retry plugin (3 retries inside each of the queue's attempts, which kept an
  // unreachable GitHub silent for minutes) are off. The shared write budget (writes.ts) spaces writes, a
  // rate limit delays the job, and any other transient failure ends the attempt at once, logged with its
  // cause by the queue, which runs the job again (a re-run posts nothing twice: fingerprints).
  const Octokit = ProbotOctokit.plugin(apiErrorReporting(deps.hooks)).defaults((instance: Record<string, unknown>) => ({
    ...instance,
    throttle: { enabled: false },
    retry: { enabled: false },
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
  const limits = { ...(options.rechecks ? { rechecks: options.rechecks } : {}), ...(options.refusalReplies ? { refusalReplies: options.refusalReplies } : {}) };
  // One slug for the handlers, the reaction poll and the credentials check: GET /app is asked once.
  const slugs = new AppSlug(() => probot.auth() as unknown as Promise<AppAuth>, log);
  await probot.load(githubApp({ ...deps, logger: log, budget, ...limits, appSlug: slugs }), {
    cwd: process.cwd(),
    addHandler: () => {
      throw new Error("the service owns the HTTP server");
    },
  });
  const middleware = await probot.getNodeMiddleware({ path: settings.webhookPath });

  /**
   * A signed event of a kind we act on that names no installation cannot be reviewed (no token to ask
   * for): say so in the log and answer 400, so the delivery shows as failed in the App's settings,
   * instead of Probot's silent 200. Unsigned or mis-signed requests go on to Probot, which refuses them.
   */
  const refusedWithoutInstallation = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const event = req.headers["x-github-event"];
    const signature = req.headers["x-hub-signature-256"];
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== settings.webhookPath) return false;
    if (typeof event !== "string" || !INSTALLATION_EVENTS.has(event) || typeof signature !== "string") return false;
    const raw = (req as IncomingMessage & { rawBody?: Buffer }).rawBody;
    if (!raw) return false;
    const body = raw.toString("utf8");
    if (!(await probot.webhooks.verify(body, signature).catch(() => false))) return false;
    let payload: { installation?: unknown; repository?: { full_name?: unknown } } | undefined;
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return false; // Probot answers a body that is no JSON
    }
    if (typeof payload !== "object" || payload === null || payload.installation) return false;
    log.warn(
      { event, delivery: req.headers["x-github-delivery"], repository: payload.repository?.full_name },
      "webhook without installation refused (400): is it sent by the App, not a repository webhook?",
    );
    res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("the payload has no installation: eventlet-review reviews as a GitHub App installation\n");
    return true;
  };
  // Installations this process wrote for: their budget is on the status page.
  const installations = new Set<number>();
  const htmlBase = settings.baseUrl ? settings.baseUrl.replace(/\/api\/v3$/, "") : "https://github.com";
  const appSlug = () => slugs.get();

  const pollFeedback = async (): Promise<number> => {
    const ledger = deps.ledger;
    if (!ledger) return 0;
    let added = 0;
    for (const pull of await ledger.recentChanges("github", POLL_DAYS)) {
      if (pull.installation === undefined) continue;
      const [owner, repo] = pull.repository.split("/") as [string, string];
      try {
        const octokit = (await probot.auth(pull.installation)) as unknown as GithubOctokit;
        added += (await pollPull(octokit, ledger, { owner, repo, pullNumber: Number(pull.change) }, await appSlug())).length;
      } catch (error) {
        log.warn({ err: error, repository: pull.repository, pull: pull.change }, "could not read the reactions of a pull request");
      }
    }
    return added;
  };
  let pollTimer: NodeJS.Timeout | undefined;

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
    const started = Date.now();
    const outcome = await reviewPullRequest(
      octokit,
      { ...request, draft: head.draft },
      { logger: jobLog, hooks: deps.hooks, superseded: control?.superseded, reserveWrites: (n) => writes.reserve(n), head },
    );
    jobLog.info({ writes: writes.sent, status: outcome.status }, "job done");
    installations.add(p.installationId);
    if (outcome.status === "published") {
      await deps.ledger?.reviewPublished({
        platform: "github",
        repository: `${p.owner}/${p.repo}`,
        change: String(p.pullNumber),
        revision: p.headSha,
        url: `${htmlBase}/${p.owner}/${p.repo}/pull/${p.pullNumber}`,
        installation: p.installationId,
        findings: outcome.prints,
        posted: outcome.report.posted,
        resolved: outcome.report.resolved,
        durationMs: Date.now() - started,
      });
    }
    return outcome;
  };

  /**
   * The App's own credentials (APP_ID, PRIVATE_KEY): GET /app with the JWT, at start and every
   * `appCheckMs`, so /readyz says when they fail (a wrong key, a revoked App, GitHub unreachable)
   * instead of every review failing in the queue. Undefined until the first answer.
   */
  let credentials: { ok: true } | { ok: false; reason: string } | undefined;
  let appCheckTimer: NodeJS.Timeout | undefined;
  const checkApp = async (): Promise<void> => {
    try {
      const octokit = await probot.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      slugs.remember(data?.slug ?? undefined);
      if (credentials?.ok !== true) log.info({ app: data?.slug }, "GitHub App credentials work (GET /app)");
      credentials = { ok: true };
    } catch (error) {
      const failure = apiFailure(error);
      // GitHub refusing the JWT (401: wrong APP_ID or key, a deleted App) makes the service unready. An
      // outage (5xx, network) after a success does not: taken out of rotation, the service would refuse
      // webhooks that GitHub never redelivers, while queued jobs just wait and retry.
      const refused = failure === "http:401" || failure === "http:403" || failure === "http:404";
      if (!refused && credentials?.ok === true) {
        log.warn({ failure, error: describeFailure(error) }, "GitHub App credentials check failed (GitHub unreachable?); still ready, checking again later");
        return;
      }
      const reason = failure === "http:401" ? "GET /app: http:401, check APP_ID and PRIVATE_KEY" : `GET /app: ${failure ?? describeFailure(error)}`;
      if (credentials?.ok !== false || credentials.reason !== reason) {
        log.error({ failure, error: describeFailure(error) }, `GitHub App credentials do not work (${reason}); not ready`);
      }
      credentials = { ok: false, reason };
    }
  };

  return {
    platform: "github",
    probot,
    async start() {
      // Not awaited: an unreachable GitHub must not hold up the service's start; /readyz waits for it.
      void checkApp();
      appCheckTimer = setInterval(() => void checkApp(), options.appCheckMs ?? 10 * 60_000);
      appCheckTimer.unref();
      const every = (options.feedbackPollSeconds ?? 0) * 1000;
      if (deps.ledger && every > 0) {
        pollTimer = setInterval(() => void pollFeedback().catch((err: unknown) => log.warn({ err }, "reaction poll failed")), every);
        pollTimer.unref();
      }
    },
    waitingFor() {
      if (credentials === undefined) return "GitHub App credentials (GET /app not answered yet)";
      return credentials.ok ? undefined : `GitHub App credentials (${credentials.reason})`;
    },
    async handleHttp(req, res) {
      if (await refusedWithoutInstallation(req, res)) return true;
      return (await middleware(req, res)) === true;
    },
    review,
    budget,
    pollFeedback,
    async runJob(job, control) {
      await review(job, control);
    },
    async stop() {
      clearInterval(appCheckTimer);
      clearInterval(pollTimer);
      await Promise.all([budget.close(), options.rechecks?.close(), options.refusalReplies?.close()]);
    },
    status: () => budgetStatus(budget, installations),
  };
}

/** The events the App acts on: each needs an installation token. */
const INSTALLATION_EVENTS = new Set(["pull_request", "issue_comment", "check_run", "check_suite", "pull_request_review_comment", "pull_request_review_thread"]);

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
