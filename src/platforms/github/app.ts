/**
 * The Probot handlers: thin. Each turns an event into a ReviewJob for the queue; the review itself runs
 * later in `runJob`. Pull request events need no API call; a recheck comment needs the pull request
 * (for its head SHA) and the base config (for who may ask), then gets an "eyes" reaction.
 */
import type { ApplicationFunction, Context, Probot } from "probot";
import type { JobQueue, Ledger, Logger, ReviewJob, ServiceHooks } from "../adapter.js";
import { MemoryWriteBudget, type WriteBudget } from "./budget.js";
import { registerFeedbackHandlers } from "./feedback.js";
import { reviewJob, type PullRequestLike } from "./events.js";
import type { GithubOctokit } from "./octokit.js";
import { CHECK_NAME } from "./publisher.js";
import { readConfig } from "./run.js";
import { PermissionCache } from "./permissions.js";
import { MemoryRecheckLimiter, onePerChange, type RecheckLimiter } from "../recheck-limit.js";
import { GithubChangeSource } from "./source.js";
import { PULL_REQUEST_ACTIONS, pullRequestTarget, recheckTarget } from "./targets.js";
import { JobWrites } from "./writes.js";

export interface AppDeps {
  queue: JobQueue;
  logger: Logger;
  hooks: ServiceHooks;
  /** The installations' write budget: reactions and replies spend it too (skipped when it is short). */
  budget?: WriteBudget;
  /** The store of reviews and feedback: replies and resolved threads on our comments go there. */
  ledger?: Ledger;
  /** One recheck a minute per pull request (default: in this process; index.ts shares it in Redis). */
  rechecks?: RecheckLimiter;
  /** One refusal reply per user and pull request in ten minutes (the same). */
  refusalReplies?: RecheckLimiter;
  /** The app's slug, shared with the service's own GET /app (index.ts); default: read on first use. */
  appSlug?: AppSlug;
}

export interface AppAuth {
  rest: { apps: { getAuthenticated(): Promise<{ data?: { slug?: string } | null }> } };
}

/**
 * The app's slug (`@<slug> recheck`, `<slug>[bot]` as our comments' author), read once from `GET /app`
 * and tried again after a failure; an answer to GET /app made for another reason (the credentials
 * check) is remembered instead of asked again.
 */
export class AppSlug {
  private slug: Promise<string | undefined> | undefined;

  constructor(
    private readonly auth: () => Promise<AppAuth>,
    private readonly log: Logger,
  ) {}

  get(): Promise<string | undefined> {
    this.slug ??= this.auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then((response) => response.data?.slug ?? undefined)
      .catch((error: unknown) => {
        this.log.warn({ err: error }, "could not read the app's slug from GET /app");
        this.slug = undefined;
        return undefined;
      });
    return this.slug;
  }

  remember(slug: string | undefined): void {
    if (slug) this.slug = Promise.resolve(slug);
  }
}

/** The windows of the recheck limits. */
export const RECHECK_WINDOW_MS = 60_000;
export const REFUSAL_REPLY_WINDOW_MS = 10 * 60_000;

export const PULL_REQUEST_EVENTS = PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const);

interface RerunEvent {
  id: string;
  installationId?: number;
  owner: string;
  repo: string;
  octokit: GithubOctokit;
}

function rerunEvent(context: Context<"check_run.rerequested"> | Context<"check_suite.rerequested">): RerunEvent {
  const { owner, repo } = (context as Context<"check_run.rerequested">).repo();
  return {
    id: context.id,
    installationId: context.payload.installation?.id,
    owner,
    repo,
    octokit: context.octokit as unknown as GithubOctokit,
  };
}

export function githubApp(deps: AppDeps): ApplicationFunction {
  const log = deps.logger;
  const budget = deps.budget ?? new MemoryWriteBudget();
  const permissions = new PermissionCache();
  const rechecks = deps.rechecks ?? new MemoryRecheckLimiter(onePerChange(RECHECK_WINDOW_MS));
  const refusalReplies = deps.refusalReplies ?? new MemoryRecheckLimiter(onePerChange(REFUSAL_REPLY_WINDOW_MS));
  return (app: Probot) => {
    const slugs = deps.appSlug ?? new AppSlug(() => app.auth() as unknown as Promise<AppAuth>, log);
    const appSlug = () => slugs.get();
    registerFeedbackHandlers(app, { ledger: deps.ledger, logger: log, appSlug });

    const submit = async (job: ReviewJob): Promise<void> => {
      const result = await deps.queue.submit(job);
      log.info({ eventId: job.eventId, repository: job.repository, change: job.change, revision: job.revision, ...result }, "review job submitted");
    };

    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const { payload } = context;
      deps.hooks.eventReceived("github", `pull_request.${payload.action}`);
      const target = pullRequestTarget("pull_request", payload.action, payload.pull_request);
      if ("skip" in target || !payload.installation) return;
      const { owner, repo } = context.repo();
      await submit(reviewJob(context.id, payload.installation.id, owner, repo, payload.pull_request, `pull_request.${payload.action}`, false));
    });

    app.on("issue_comment.created", async (context) => {
      const { payload } = context;
      deps.hooks.eventReceived("github", "issue_comment.created");
      const comment = payload.comment;
      if (!payload.issue.pull_request || !payload.installation) return;
      const { owner, repo } = context.repo();
      const octokit = context.octokit as unknown as GithubOctokit;
      const target = await recheckTarget(octokit, owner, repo, payload.issue.number, comment, {
        appSlug,
        readConfig: (request) => readConfig(new GithubChangeSource(octokit, request)),
        permissions,
      });
      if ("skip" in target) return;
      const { pr, commenter, refusal } = target;
      const writes = new JobWrites(budget, payload.installation.id);
      writes.meter(context.octokit as unknown as Parameters<JobWrites["meter"]>[0]);
      const where = `${owner}/${repo}#${pr.number}`;
      if (refusal !== undefined) {
        log.info({ repository: `${owner}/${repo}`, pull: pr.number, user: commenter }, "recheck refused");
        // One reply per user and pull request in ten minutes, and only when the write budget allows.
        if ((await refusalReplies.allow(`${where}:${commenter.toLowerCase()}`, commenter.toLowerCase())) === true && (await writes.tryReserve(1))) {
          await context.octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body: `eventlet-review: ${refusal}.` });
        }
        return;
      }
      if ((await rechecks.allow(where, commenter.toLowerCase())) !== true) {
        log.info({ repository: `${owner}/${repo}`, pull: pr.number, user: commenter }, "recheck ignored: one a minute per pull request");
        return;
      }
      if (await writes.tryReserve(1)) await context.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "eyes" });
      await submit(reviewJob(context.id, payload.installation.id, owner, repo, pr, "issue_comment.recheck", true));
    });

    app.on("check_run.rerequested", async (context) => {
      deps.hooks.eventReceived("github", "check_run.rerequested");
      const run = context.payload.check_run;
      if (run.name !== CHECK_NAME) return;
      // Our runs carry the pull request number: fork PRs have an empty `pull_requests` list.
      const numbers = run.external_id && /^\d+$/.test(run.external_id) ? [Number(run.external_id)] : run.pull_requests.map((p) => p.number);
      await rerun(rerunEvent(context), numbers, run.head_sha, "check_run.rerequested");
    });

    app.on("check_suite.rerequested", async (context) => {
      deps.hooks.eventReceived("github", "check_suite.rerequested");
      const suite = context.payload.check_suite;
      await rerun(rerunEvent(context), suite.pull_requests.map((p) => p.number), suite.head_sha, "check_suite.rerequested");
    });

    /** Re-queues the review of each open pull request, at its current head. */
    const rerun = async (event: RerunEvent, numbers: number[], headSha: string, trigger: string) => {
      const { installationId, owner, repo, octokit, id } = event;
      if (installationId === undefined) return;
      if (numbers.length === 0) {
        // Fork PRs: GitHub does not link the suite to its pull request; find it by head SHA.
        const open = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 });
        numbers = open.filter((p) => p.head.sha === headSha).map((p) => p.number);
      }
      for (const number of new Set(numbers)) {
        const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
        if (pr.state !== "open") continue;
        const eventId = numbers.length > 1 ? `${id}:${number}` : id;
        await submit(reviewJob(eventId, installationId, owner, repo, pr as PullRequestLike, trigger, true));
      }
    };
  };
}
