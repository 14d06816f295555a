/**
 * What the service needs from each platform (GitHub App, Gerrit bot), so the server, queue and
 * metrics never import platform code beyond this shape, and platforms never know which queue runs.
 * Below: the review job and the queue platforms submit it to (in-process or BullMQ/Redis).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Finding } from "../model/finding.js";
import type { ApiFailure } from "./failure.js";

export type { ApiFailure } from "./failure.js";

/** Structured logger (pino-compatible subset). Never pass secrets to it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Counters the platforms report into; the service maps them onto Prometheus metrics. */
export interface ServiceHooks {
  eventReceived(platform: Platform, kind: string): void;
  reviewPosted(platform: Platform, findings: readonly Finding[]): void;
  /** A failed API call: `http:<status>` when the platform answered, else `dns`, `tls`, `timeout`, `network:<code>`. */
  apiError(platform: Platform, failure: ApiFailure): void;
  /** Seconds spent analyzing one change. */
  analysisSeconds(platform: Platform, seconds: number): void;
}

export interface PlatformDeps {
  queue: JobQueue;
  logger: Logger;
  hooks: ServiceHooks;
  /** Where reviews and people's feedback on findings are kept (service/feedback.ts); absent in some tests. */
  ledger?: Ledger;
}

/** A review as published, for the store and the status page. */
export interface PublishedReview {
  platform: Platform;
  repository: string;
  change: string;
  revision: string;
  /** The pull request or change, for a person. */
  url?: string;
  /** GitHub: the installation (its write budget, and reactions polled with its token). */
  installation?: number;
  /** Every finding of the review (inline or not), with its fingerprint (review/fingerprint.ts). */
  findings: readonly { rule: string; fingerprint: string }[];
  /** Inline comments posted, and our threads resolved because their finding is gone. */
  posted: number;
  resolved: number;
  durationMs: number;
}

export type { Verdict } from "../review/feedback.js";
import type { Verdict } from "../review/feedback.js";

/** One person's word on one finding, in the platform's own gesture. */
export interface FeedbackReport {
  platform: Platform;
  repository: string;
  change: string;
  rule: string;
  fingerprint: string;
  /** The person's login or Gerrit username. */
  who: string;
  verdict: Verdict;
  /** reaction, reply, resolve. */
  gesture: "reaction" | "reply" | "resolve";
  reason?: string;
  at?: Date;
}

/** The store as the platforms see it. */
export interface Ledger {
  reviewPublished(review: PublishedReview): Promise<void>;
  /** True when it is new (once per person, finding and verdict). */
  feedback(report: FeedbackReport): Promise<boolean>;
  /** False when the change's latest review no longer has the finding; true when it has, or nothing is known. */
  findingStands(platform: Platform, repository: string, change: string, fingerprint: string): Promise<boolean>;
  /** GitHub pull requests reviewed in the last `days`, for the reaction poll. */
  recentChanges(platform: Platform, days: number): Promise<{ repository: string; change: string; installation?: number }[]>;
}

/** An answer given from the request line and headers alone, before the body is read. */
export interface EarlyRefusal {
  status: number;
  text: string;
  headers?: Record<string, string>;
}

export interface PlatformAdapter {
  platform: Platform;
  /**
   * Asked before the server reads a request's body: a refusal for a request addressed to this platform
   * that it will not take whatever the body (a missing or wrong token), so a stranger cannot make the
   * service buffer a body; undefined otherwise.
   */
  refuseEarly?(req: IncomingMessage): EarlyRefusal | undefined;
  /** Handles an HTTP request addressed to this platform; returns false when the path is not its own. */
  handleHttp?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /**
   * Runs one queued review job. Throwing marks the job failed (retried when the error is transient;
   * delayed, not failed, on RateLimitedError).
   */
  runJob(job: ReviewJob, control?: JobControl): Promise<void>;
  /** Starts background event sources (Gerrit stream-events) and checks (the GitHub App's credentials). */
  start?(): Promise<void>;
  /**
   * What this platform still waits for, for /readyz (e.g. "GitHub App credentials (GET /app: http:401)",
   * "Gerrit stream-events (connecting)"); undefined when it can take and review events.
   */
  waitingFor?(): string | undefined;
  stop?(): Promise<void>;
  /** What the status page shows of this platform (the write budget, the event stream). */
  status?(): Promise<StatusSection>;
}

/** A titled list of facts for the status page. */
export interface StatusSection {
  title: string;
  rows: { label: string; value: string; warn?: boolean }[];
}

/** An error worth retrying (HTTP 5xx/429, network failure); anything else goes to the dead-letter log. */
export class TransientError extends Error {
  /**
   * @param retryAfterMs the least wait before the next attempt (a `Retry-After` header, a secondary rate
   *   limit); the queue waits at least this long, and at most its maximum retry delay.
   */
  constructor(message: string, readonly cause?: unknown, readonly retryAfterMs?: number) {
    super(message);
    this.name = "TransientError";
  }
}

/**
 * The platform said "not now" (a rate limit, or our own write budget is spent): the job waits
 * `retryAfterMs` and runs again. Not a failure: it uses up no attempt and never becomes a dead letter.
 */
export class RateLimitedError extends TransientError {
  constructor(message: string, retryAfterMs: number, cause?: unknown) {
    super(message, cause, Math.max(0, Math.ceil(retryAfterMs)));
    this.name = "RateLimitedError";
  }
}

export function isRateLimited(err: unknown): err is RateLimitedError {
  return err instanceof RateLimitedError || (err instanceof Error && err.name === "RateLimitedError");
}

/** True for a TransientError, also one from another copy of this module (jest registries, bundles). */
export function isTransient(err: unknown): err is TransientError {
  return err instanceof TransientError || (err instanceof Error && (err.name === "TransientError" || err.name === "RateLimitedError"));
}

export const noopHooks: ServiceHooks = {
  eventReceived: () => {},
  reviewPosted: () => {},
  apiError: () => {},
  analysisSeconds: () => {},
};

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

/** What the queue tells a running job. */
export interface JobControl {
  /** True once a newer job for the same change is queued: a job that has not written yet should stop. */
  superseded(): Promise<boolean>;
}

export type JobHandler = (job: ReviewJob, control?: JobControl) => Promise<void>;

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
