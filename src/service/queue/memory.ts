/**
 * The embedded queue: runs jobs in this process, needs no server, keeps nothing across a restart.
 * One pending job per change (a newer one replaces it in place), one running job per change, at most
 * `concurrency` running in all; delivery ids remembered for `dedupeTtlSeconds`.
 */
import { changeKey, isRateLimited, isTransient, type JobHandler, type Platform, type ReviewJob, type SubmitResult } from "../../platforms/adapter.js";
import {
  describeError,
  jobFields,
  outranks,
  rankOf,
  retryDelay,
  type DeadLetter,
  type JobOutcome,
  type QueueDepth,
  type QueueOptions,
  type Rank,
  type ServiceQueue,
} from "./common.js";

interface Entry {
  job: ReviewJob;
  key: string;
  rank: Rank;
  /** When the event arrived (ms), for end-to-end latency. */
  receivedAt: number;
  attempt: number;
  notBefore: number;
}

const DEAD_LETTERS_KEPT = 1000;

export class MemoryQueue implements ServiceQueue {
  readonly kind = "memory" as const;
  private readonly seen = new Map<string, number>();
  private readonly pending = new Map<string, Entry>();
  private readonly running = new Map<string, Entry>();
  private readonly handlers = new Map<Platform, JobHandler>();
  private readonly dead: DeadLetter[] = [];
  private idleWaiters: (() => void)[] = [];
  private seq = 0;
  private started = false;
  private closing = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly options: QueueOptions) {}

  handle(platform: Platform, handler: JobHandler): void {
    this.handlers.set(platform, handler);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
    this.pump();
  }

  ready(): boolean {
    return this.started && !this.closing;
  }

  async submit(job: ReviewJob): Promise<SubmitResult> {
    if (this.closing) throw new Error("the job queue is shutting down");
    const now = Date.now();
    const expires = this.seen.get(job.eventId);
    if (expires !== undefined && expires > now) {
      this.options.logger.debug(jobFields(job), "duplicate event ignored");
      this.options.observer?.submitted?.(job, "duplicate");
      return { accepted: false, reason: "duplicate" };
    }
    this.seen.set(job.eventId, now + this.options.dedupeTtlSeconds * 1000);

    const key = changeKey(job);
    const rank: Rank = rankOf(job, ++this.seq);
    const queued = this.pending.get(key);
    const current = this.running.get(key);
    for (const other of [queued, current]) {
      if (other && outranks(other.rank, rank)) {
        this.options.logger.info({ ...jobFields(job), newer: other.job.revision }, "event for an older revision ignored");
        this.options.observer?.submitted?.(job, "stale");
        return { accepted: false, reason: "stale" };
      }
    }
    let accepted = job;
    if (queued) {
      if (queued.job.recheck && queued.job.revision === job.revision && !job.recheck) accepted = { ...job, recheck: true };
      this.finish(queued, "superseded");
      this.options.logger.info({ ...jobFields(queued.job), by: job.revision }, "queued job superseded");
    }
    // Map.set on an existing key keeps its place in line.
    this.pending.set(key, { job: accepted, key, rank, receivedAt: now, attempt: 1, notBefore: 0 });
    this.options.observer?.submitted?.(job, "accepted");
    this.pump();
    return { accepted: true };
  }

  async depth(): Promise<QueueDepth> {
    const now = Date.now();
    let delayed = 0;
    for (const entry of this.pending.values()) if (entry.notBefore > now) delayed++;
    return { waiting: this.pending.size - delayed, delayed, active: this.running.size };
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.dead];
  }

  /** Stops taking jobs; runs what is queued until the shutdown timeout, then drops the rest with a warning. */
  async close(waitMs = this.options.shutdownTimeoutMs): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timeout);
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.sweeper);
    const lost = [...this.running.values(), ...this.pending.values()];
    if (lost.length > 0) {
      this.options.logger.warn(
        { jobs: lost.map((e) => jobFields(e.job)) },
        `shutdown: ${lost.length} review job(s) unfinished and lost (the in-process queue keeps nothing; set REDIS_URL to keep jobs across restarts)`,
      );
    }
    this.pending.clear();
    this.releaseIdle(true);
  }

  /** Nothing to disconnect: stop the timers (close() already said what was lost, or runs on). */
  abort(): void {
    this.closing = true;
    clearTimeout(this.timer);
    clearInterval(this.sweeper);
  }

  private isIdle(): boolean {
    return this.pending.size === 0 && this.running.size === 0;
  }

  private releaseIdle(force = false): void {
    if (!force && !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, expires] of this.seen) if (expires <= now) this.seen.delete(id);
  }

  private pump(): void {
    if (!this.started || this.stopped) return;
    const now = Date.now();
    let nextAt = Infinity;
    for (const [key, entry] of this.pending) {
      if (this.running.size >= this.options.concurrency) break;
      if (this.running.has(key)) continue;
      if (entry.notBefore > now) {
        nextAt = Math.min(nextAt, entry.notBefore);
        continue;
      }
      this.pending.delete(key);
      void this.run(entry);
    }
    clearTimeout(this.timer);
    if (nextAt !== Infinity) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, nextAt - now));
      this.timer.unref();
    }
    this.releaseIdle();
  }

  private async run(entry: Entry): Promise<void> {
    this.running.set(entry.key, entry);
    const log = this.options.logger;
    try {
      const handler = this.handlers.get(entry.job.platform);
      if (!handler) throw new Error(`no handler for platform ${entry.job.platform}`);
      await handler(entry.job, { superseded: async () => this.pending.has(entry.key) });
      this.finish(entry, "completed");
    } catch (err) {
      const newer = this.pending.get(entry.key);
      if (isRateLimited(err) && !newer && !this.stopped) {
        // Not a failure: the same attempt runs again once the platform allows it.
        const delay = err.retryAfterMs ?? this.options.retryDelayMs;
        log.info({ ...jobFields(entry.job), retryInMs: delay }, "rate limited; job delayed");
        this.options.observer?.finished?.(entry.job, "delayed", (Date.now() - entry.receivedAt) / 1000);
        this.pending.set(entry.key, { ...entry, notBefore: Date.now() + delay });
      } else if (isTransient(err) && newer) {
        log.info({ ...jobFields(entry.job), err }, "job failed; not retried, a newer job for the change is queued");
        this.finish(entry, "superseded");
      } else if (isTransient(err) && entry.attempt < this.options.attempts && !this.stopped) {
        const delay = retryDelay(entry.attempt, this.options, err);
        log.warn({ ...jobFields(entry.job), attempt: entry.attempt, retryInMs: delay, err }, "job failed; will retry");
        this.options.observer?.finished?.(entry.job, "retried", (Date.now() - entry.receivedAt) / 1000);
        this.pending.set(entry.key, { ...entry, attempt: entry.attempt + 1, notBefore: Date.now() + delay });
      } else {
        this.deadLetter(entry, err);
      }
    } finally {
      this.running.delete(entry.key);
      this.pump();
    }
  }

  private deadLetter(entry: Entry, err: unknown): void {
    this.dead.push({ job: entry.job, error: describeError(err), attempts: entry.attempt, at: new Date().toISOString() });
    if (this.dead.length > DEAD_LETTERS_KEPT) this.dead.shift();
    // A manual redelivery of this event may try again.
    this.seen.delete(entry.job.eventId);
    this.options.logger.error({ ...jobFields(entry.job), attempts: entry.attempt, err }, "dead letter: review job failed for good");
    this.finish(entry, "dead_letter");
  }

  private finish(entry: Entry, outcome: Exclude<JobOutcome, "retried">): void {
    this.options.observer?.finished?.(entry.job, outcome, (Date.now() - entry.receivedAt) / 1000);
  }
}

