/**
 * The App for `probot run` (local development, and Probot's "Register GitHub App" page, which creates
 * the App from app.yml): the same handlers and review as the service, with an in-process queue that
 * runs one review at a time. Production runs through the service (`npm start`), which adds Redis,
 * retries, metrics and health checks.
 *
 *   npm run build && npx probot run ./dist/platforms/github/probot-app.js
 */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { type JobHandler, type JobQueue, type Logger, noopHooks, type ReviewJob, type SubmitResult } from "../adapter.js";
import { githubApp } from "./app.js";
import { jobPayload } from "./events.js";
import type { GithubOctokit } from "./octokit.js";
import { currentHead, reviewPullRequest } from "./run.js";

const REMEMBERED_DELIVERIES = 10_000;

/** Runs jobs one after another in this process; remembers recent delivery ids to drop redeliveries. */
export class InlineQueue implements JobQueue {
  private readonly seen = new Set<string>();
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly run: (job: ReviewJob) => Promise<void>,
    private readonly log: Logger,
  ) {}

  async submit(job: ReviewJob): Promise<SubmitResult> {
    if (this.seen.has(job.eventId)) return { accepted: false, reason: "duplicate" };
    this.seen.add(job.eventId);
    if (this.seen.size > REMEMBERED_DELIVERIES) this.seen.delete(this.seen.values().next().value!);
    if (this.closed) throw new Error("the queue is closed");
    this.tail = this.tail.then(() =>
      this.run(job).catch((error: unknown) => this.log.error({ err: error, eventId: job.eventId }, "review job failed")),
    );
    return { accepted: true };
  }

  handle(_platform: string, _handler: JobHandler): void {}

  /** Resolves when every queued job has run. */
  idle(): Promise<void> {
    return this.tail;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }
}

export function createProbotApp(): { app: (probot: Probot, options: ApplicationFunctionOptions) => Promise<void>; queue: () => InlineQueue | undefined } {
  let queue: InlineQueue | undefined;
  const app = async (probot: Probot, options: ApplicationFunctionOptions) => {
    const logger = probot.log as unknown as Logger;
    queue = new InlineQueue(async (job) => {
      const p = jobPayload(job);
      const octokit = (await probot.auth(p.installationId)) as unknown as GithubOctokit;
      const request = { owner: p.owner, repo: p.repo, pullNumber: p.pullNumber, headSha: p.headSha, baseSha: p.baseSha, draft: p.draft, recheck: job.recheck === true };
      const head = await currentHead(octokit, request);
      if (head.current) await reviewPullRequest(octokit, { ...request, draft: head.draft }, { logger, head });
      else logger.info({ pull: p.pullNumber, sha: p.headSha, reason: head.reason }, "review skipped");
    }, logger);
    await githubApp({ queue, logger, hooks: noopHooks })(probot, options);
  };
  return { app, queue: () => queue };
}

export default createProbotApp().app;
