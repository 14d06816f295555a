/**
 * What both queue implementations share: the service-side interface, the supersede order, the retry
 * delay, and the dead-letter record.
 */
import { z } from "zod";
import { isTransient, type JobQueue, type Logger, type Platform, type ReviewJob } from "../../platforms/adapter.js";

/** `delayed`: rate limited, runs again later without using up an attempt. */
export type JobOutcome = "completed" | "superseded" | "retried" | "delayed" | "dead_letter";

/** What the queue reports to metrics. `seconds` runs from the event's arrival to the outcome. */
export interface QueueObserver {
  submitted?(job: ReviewJob, result: "accepted" | "duplicate" | "stale"): void;
  finished?(job: ReviewJob, outcome: JobOutcome, seconds: number): void;
}

export interface QueueOptions {
  concurrency: number;
  /** Attempts in all for a job failing with TransientError. */
  attempts: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  dedupeTtlSeconds: number;
  /** How long close() waits for running jobs. */
  shutdownTimeoutMs: number;
  logger: Logger;
  observer?: QueueObserver;
}

export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
}

export interface DeadLetter {
  job: ReviewJob;
  error: string;
  attempts: number;
  at: string;
}

/** The queue as the service sees it; platforms only see JobQueue. */
export interface ServiceQueue extends JobQueue {
  readonly kind: "memory" | "redis";
  /** Begins running jobs (call after every platform registered its handler). */
  start(): Promise<void>;
  /** Connected and running. */
  ready(): boolean;
  depth(): Promise<QueueDepth>;
  /** Resolves when nothing is waiting, delayed or running. */
  idle(pollMs?: number): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  /** Stops taking jobs and waits for running ones at most `waitMs` (default: the shutdown timeout). */
  close(waitMs?: number): Promise<void>;
  /** Drops every connection now, without waiting for an answer (a shutdown out of time). */
  abort(): void;
}

/** The order of jobs for one change: position in the queue, and revision when both are patch set numbers. */
export interface Rank {
  seq: number;
  revision: string;
  /** ReviewJob.revisionOrder, when the platform gave one. */
  order?: number;
}

export function rankOf(job: { revision: string; revisionOrder?: number }, seq: number): Rank {
  return { seq, revision: job.revision, ...(Number.isFinite(job.revisionOrder) ? { order: job.revisionOrder } : {}) };
}

const PATCH_SET = /^\d{1,9}$/;

/**
 * Whether `a` replaces `b` (both for the same change). Two revisions compare by the platform's
 * revisionOrder when both have one, Gerrit patch set numbers as numbers, so a late event for an older
 * revision never replaces a newer one; otherwise (and for the same revision) the later submission wins.
 */
export function outranks(a: Rank, b: Rank): boolean {
  if (a.revision !== b.revision && a.order !== undefined && b.order !== undefined && a.order !== b.order) return a.order > b.order;
  if (PATCH_SET.test(a.revision) && PATCH_SET.test(b.revision)) {
    const ra = Number(a.revision);
    const rb = Number(b.revision);
    if (ra !== rb) return ra > rb;
  }
  return a.seq > b.seq;
}

/** Exponential backoff with equal jitter, at least the error's retryAfterMs, at most the maximum. */
export function retryDelay(attempt: number, options: Pick<QueueOptions, "retryDelayMs" | "retryMaxDelayMs">, err?: unknown): number {
  const exp = Math.min(options.retryMaxDelayMs, options.retryDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (Math.random() * exp) / 2;
  const floor = isTransient(err) && err.retryAfterMs ? err.retryAfterMs : 0;
  return Math.round(Math.min(options.retryMaxDelayMs, Math.max(jittered, floor)));
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** The fields that identify a job in logs (never its payload). */
export function jobFields(job: ReviewJob): Record<string, unknown> {
  return {
    eventId: job.eventId,
    platform: job.platform,
    repository: job.repository,
    change: job.change,
    revision: job.revision,
    ...(job.recheck ? { recheck: true } : {}),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const text = (max: number) => z.string().min(1).max(max);

/**
 * A ReviewJob as it must look when read back from Redis: anyone who can write to that Redis can put
 * anything in a job, so the shape is checked before a job reaches a platform (which checks its own
 * payload). Fields added later pass through unchecked.
 */
export const reviewJobSchema = z.looseObject({
  eventId: text(512),
  platform: z.enum(["github", "gerrit"]),
  repository: text(512),
  change: text(128),
  revision: text(256),
  revisionOrder: z.number().finite().optional(),
  recheck: z.boolean().optional(),
  payload: z.record(z.string(), z.unknown()),
});

/** One issue of a failed parse, as a line: `job.platform: Invalid option: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/** A job identity for the dead-letter record of data that is not a valid job: what could be read, as text. */
export function stubJob(raw: unknown, fallbackId: string): ReviewJob {
  const j = (raw && typeof raw === "object" && "job" in raw ? (raw as { job: unknown }).job : undefined) as Record<string, unknown> | undefined;
  const str = (v: unknown, d: string) => (typeof v === "string" && v !== "" ? v.slice(0, 200) : d);
  return {
    eventId: str(j?.eventId, fallbackId),
    platform: str(j?.platform, "unknown") as Platform,
    repository: str(j?.repository, "?"),
    change: str(j?.change, "?"),
    revision: str(j?.revision, "?"),
    payload: {},
  };
}

const deadLetterSchema = z.looseObject({ job: reviewJobSchema.extend({ platform: z.string(), payload: z.unknown() }), error: z.string(), attempts: z.number(), at: z.string() });

/** A dead-letter record read back from Redis, or undefined when it is not one (never thrown on). */
export function parseDeadLetter(item: string): DeadLetter | undefined {
  try {
    const parsed = deadLetterSchema.safeParse(JSON.parse(item));
    return parsed.success ? (parsed.data as unknown as DeadLetter) : undefined;
  } catch {
    return undefined;
  }
}
