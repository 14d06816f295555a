/**
 * The job contract between event sources (GitHub webhooks, Gerrit events) and the queue. The platform
 * code only knows this interface; whether jobs run in-process or on BullMQ/Redis is the service's choice.
 */

export type Platform = "github" | "gerrit";

export interface ReviewJob {
  /** Event identity for deduplication: `X-GitHub-Delivery`; Gerrit: `type:change:patchset:eventCreatedOn`. */
  eventId: string;
  platform: Platform;
  /** `owner/repo` or the Gerrit project. */
  repository: string;
  /** Pull request number or Gerrit change number (as a string). */
  change: string;
  /** Head SHA or patch set number: a job for a newer revision supersedes a queued older one. */
  revision: string;
  /**
   * Optional: where this revision stands among the change's revisions, when the platform knows it and the
   * revision id does not say (GitHub SHAs): e.g. the time of the push (`pull_request.updated_at` in ms).
   * A job with a lower `revisionOrder` than the change's queued or running job is stale and never replaces
   * it, so a late or redelivered webhook of an older push cannot win over the newer one.
   */
  revisionOrder?: number;
  /** A recheck is a new event for the same revision and always runs. */
  recheck?: boolean;
  /** Platform data the handler needs; must survive JSON (it crosses Redis). */
  payload: Record<string, unknown>;
}

export type JobHandler = (job: ReviewJob) => Promise<void>;

/**
 * `duplicate`: the eventId was seen (a redelivery). `stale`: the change already has a job for a newer
 * revision (Gerrit patch set numbers only; SHAs have no order, so the later event wins).
 */
export type SubmitResult = { accepted: true } | { accepted: false; reason: "duplicate" | "stale" };

export interface JobQueue {
  /** Queues a job unless its eventId was seen; supersedes a queued job for the same change. */
  submit(job: ReviewJob): Promise<SubmitResult>;
  /** The function that runs jobs of one platform. */
  handle(platform: Platform, handler: JobHandler): void;
  /** Stop taking jobs, finish or hand back running ones. */
  close(): Promise<void>;
}

/** The supersede key: one pending review per (platform, repository, change). */
export function changeKey(job: Pick<ReviewJob, "platform" | "repository" | "change">): string {
  return `${job.platform}:${job.repository}:${job.change}`;
}
