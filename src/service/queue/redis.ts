/**
 * The shared queue: BullMQ on Redis, so several instances take jobs from one queue and jobs outlive a
 * restart. On top of BullMQ, with keys of our own:
 * - `seen:<eventId>` (SET NX EX, value: the job id): a redelivered event is refused on every instance, and
 *   only the job that owns its event runs (a worker claims an unowned one), so no crash between queueing
 *   and claiming can lose an event or run it twice;
 * - `latest:<changeKey>` {seq, revision, id}: the job that currently stands for a change. A worker skips a
 *   job that another one outranks (a newer revision, or a later event for the same revision), so a
 *   superseded job never runs even if removing it from the queue lost a race;
 * - `lock:<changeKey>`: one running job per change across instances (renewed while it runs, expires when
 *   its instance dies); a job that finds the lock taken waits in the delayed set.
 * A job whose instance dies is handed to another one by BullMQ's stalled-job check after QUEUE_LOCK_MS.
 */
import { randomUUID } from "node:crypto";
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import { changeKey, isRateLimited, isTransient, type JobHandler, type Platform, type ReviewJob, type SubmitResult } from "../../platforms/adapter.js";
import {
  describeError,
  describeIssues,
  jobFields,
  parseDeadLetter,
  reviewJobSchema,
  stubJob,
  outranks,
  rankOf,
  retryDelay,
  sleep,
  type DeadLetter,
  type QueueDepth,
  type QueueOptions,
  type Rank,
  type ServiceQueue,
} from "./common.js";

function storedRank(seq: string, revision: string, order: string | null): Rank {
  return { seq: Number(seq), revision, ...(order ? { order: Number(order) } : {}) };
}

export interface RedisQueueOptions extends QueueOptions {
  url: string;
  /** Prefix of every Redis key (BullMQ's and ours). */
  prefix: string;
  /** BullMQ lock duration and stalled-check interval: how soon a dead instance's job is handed over. */
  lockMs: number;
}

interface Envelope {
  job: ReviewJob;
  seq: number;
  receivedAt: number;
}

/** What a worker reads from Redis, checked before anything in it is trusted. */
const envelopeSchema = z.object({ job: reviewJobSchema, seq: z.number().int().nonnegative(), receivedAt: z.number().finite() });

const QUEUE_NAME = "reviews";
const DEAD_LETTERS_KEPT = 1000;

/** Raise `latest` to this job unless a newer one holds it. Returns [raised, previous id]. */
const RAISE = `
local cur = redis.call('HMGET', KEYS[1], 'seq', 'revision', 'id', 'order')
local raise = true
if cur[1] then
  local cr, nr = cur[2], ARGV[2]
  local co, no = cur[4], ARGV[6]
  if cr ~= nr and co and co ~= '' and no ~= '' and tonumber(co) ~= tonumber(no) then
    raise = tonumber(no) > tonumber(co)
  elseif string.match(cr, '^%d+$') and string.match(nr, '^%d+$') and #cr <= 9 and #nr <= 9 and tonumber(cr) ~= tonumber(nr) then
    raise = tonumber(nr) > tonumber(cr)
  else
    raise = tonumber(ARGV[1]) > tonumber(cur[1])
  end
end
if raise then
  redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'revision', ARGV[2], 'id', ARGV[3], 'recheck', ARGV[5], 'order', ARGV[6])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  return {1, cur[3] or ''}
end
return {0, cur[3] or ''}
`;

/** Delete `latest` if it still names this job. */
const CLEAR_LATEST = `
if redis.call('HGET', KEYS[1], 'seq') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Delete KEYS[1] if it holds ARGV[1] (a lock token, an event's owner). */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

export class RedisQueue implements ServiceQueue {
  readonly kind = "redis" as const;
  private readonly client: Redis;
  private readonly queue: Queue<Envelope>;
  private worker?: Worker<Envelope>;
  private workerConnection?: Redis;
  private readonly handlers = new Map<Platform, JobHandler>();
  private readonly renewals = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly instance = randomUUID();
  private closing = false;

  constructor(private readonly options: RedisQueueOptions) {
    this.client = this.connect("queue");
    this.queue = new Queue<Envelope>(QUEUE_NAME, { connection: this.client, prefix: options.prefix });
    this.queue.on("error", (err) => options.logger.warn({ err }, "job queue error"));
  }

  private connect(role: string): Redis {
    const client = new Redis(this.options.url, { maxRetriesPerRequest: null, connectionName: `eventlet-review-${role}` });
    let warned = false;
    client.on("error", (err: Error) => {
      if (!warned) this.options.logger.warn({ err, role }, "Redis connection error; retrying");
      warned = true;
    });
    client.on("ready", () => {
      if (warned) this.options.logger.info({ role }, "Redis connection back");
      warned = false;
    });
    return client;
  }

  private key(kind: string, id: string): string {
    return `${this.options.prefix}:${QUEUE_NAME}:x:${kind}:${id}`;
  }

  handle(platform: Platform, handler: JobHandler): void {
    this.handlers.set(platform, handler);
  }

  async start(): Promise<void> {
    if (this.worker) return;
    await this.queue.waitUntilReady();
    this.workerConnection = this.connect("worker");
    const options = this.options;
    const run = (job: Job<Envelope>, token?: string) => {
      const running = this.process(job, token);
      this.inFlight.add(running);
      void running.catch(() => undefined).finally(() => this.inFlight.delete(running));
      return running;
    };
    this.worker = new Worker<Envelope>(QUEUE_NAME, run, {
      connection: this.workerConnection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: 3,
      settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => retryDelay(attemptsMade, options, err) },
    });
    this.worker.on("error", (err) => options.logger.warn({ err }, "job worker error"));
    this.worker.on("stalled", (jobId) => options.logger.warn({ jobId }, "a job's instance stopped renewing its lock; the job runs again"));
    await this.worker.waitUntilReady();
  }

  ready(): boolean {
    return !this.closing && this.client.status === "ready" && !!this.worker?.isRunning();
  }

  async submit(job: ReviewJob): Promise<SubmitResult> {
    if (this.closing) throw new Error("the job queue is shutting down");
    const o = this.options;
    const seenKey = this.key("seen", job.eventId);
    const duplicate = (): SubmitResult => {
      o.logger.debug(jobFields(job), "duplicate event ignored");
      o.observer?.submitted?.(job, "duplicate");
      return { accepted: false, reason: "duplicate" };
    };
    if ((await this.client.exists(seenKey)) === 1) return duplicate();
    const key = changeKey(job);
    const latestKey = this.key("latest", key);
    const seq = await this.client.incr(this.key("seq", "all"));
    const [curSeq, curRevision, curRecheck, curOrder] = await this.client.hmget(latestKey, "seq", "revision", "recheck", "order");
    if (curSeq !== null && curRevision !== null && outranks(storedRank(curSeq, curRevision, curOrder), rankOf(job, seq))) {
      o.logger.info({ ...jobFields(job), newer: curRevision }, "event for an older revision ignored");
      o.observer?.submitted?.(job, "stale");
      return { accepted: false, reason: "stale" };
    }
    const accepted: ReviewJob = curRecheck === "1" && curRevision === job.revision && !job.recheck ? { ...job, recheck: true } : job;
    const id = randomUUID();
    await this.queue.add(
      "review",
      { job: accepted, seq, receivedAt: Date.now() },
      {
        jobId: id,
        attempts: o.attempts,
        backoff: { type: "custom" },
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 86_400, count: 1000 },
      },
    );
    // The job that owns `seen:<eventId>` is the one that runs: claimed here, or by the worker if this
    // process dies before the next line (the sender, unanswered, then redelivers and loses the claim).
    if ((await this.client.set(seenKey, id, "EX", o.dedupeTtlSeconds, "NX")) === null && (await this.client.get(seenKey)) !== id) {
      // Another delivery of this event got there first (a worker may already have claimed our own job).
      await this.queue.remove(id).catch(() => 0);
      return duplicate();
    }
    const [raised, previous] = (await this.client.eval(
      RAISE,
      1,
      latestKey,
      String(seq),
      job.revision,
      id,
      String(o.dedupeTtlSeconds),
      accepted.recheck ? "1" : "0",
      rankOf(job, seq).order === undefined ? "" : String(job.revisionOrder),
    )) as [number, string];
    if (!raised) {
      // Another instance queued a newer job for this change a moment ago.
      await this.queue.remove(id).catch(() => 0);
      o.observer?.submitted?.(job, "stale");
      return { accepted: false, reason: "stale" };
    }
    o.observer?.submitted?.(job, "accepted");
    if (previous) await this.dropSuperseded(previous, job);
    return { accepted: true };
  }

  /** Removes a queued job that a newer one replaced; a running or just-taken one is left to its worker. */
  private async dropSuperseded(id: string, by: ReviewJob): Promise<void> {
    const old = await Job.fromId<Envelope>(this.queue, id);
    if (!old) return;
    const state = await old.getState();
    if (state !== "waiting" && state !== "delayed" && state !== "prioritized") return;
    const removed = await this.queue.remove(id).catch(() => 0);
    if (removed === 1) {
      this.options.logger.info({ ...jobFields(old.data.job), by: by.revision }, "queued job superseded");
      this.options.observer?.finished?.(old.data.job, "superseded", (Date.now() - old.data.receivedAt) / 1000);
    }
  }

  private async process(bull: Job<Envelope>, token?: string): Promise<string> {
    const o = this.options;
    const parsed = envelopeSchema.safeParse(bull.data);
    if (!parsed.success) {
      // Not a job we queued (someone with access to this Redis, or a bug): never run, never retried.
      const error = `not a valid review job: ${describeIssues(parsed.error)}`;
      const stub = stubJob(bull.data, `bullmq:${bull.id}`);
      await this.client
        .multi()
        .lpush(this.key("dead", "letters"), JSON.stringify({ job: stub, error, attempts: 1, at: new Date().toISOString() } satisfies DeadLetter))
        .ltrim(this.key("dead", "letters"), 0, DEAD_LETTERS_KEPT - 1)
        .exec();
      o.logger.error({ jobId: bull.id, error }, "dead letter: a job read from Redis is not a valid review job");
      o.observer?.finished?.(stub, "dead_letter", 0);
      throw new UnrecoverableError(error);
    }
    const { job, seq, receivedAt } = parsed.data as Envelope;
    const key = changeKey(job);
    const latestKey = this.key("latest", key);
    const seconds = () => (Date.now() - receivedAt) / 1000;
    if (!(await this.owns(bull.id!, job.eventId))) {
      o.logger.info(jobFields(job), "duplicate job skipped");
      return "duplicate";
    }
    if (await this.outranked(latestKey, rankOf(job, seq))) {
      o.logger.info(jobFields(job), "queued job superseded");
      o.observer?.finished?.(job, "superseded", seconds());
      return "superseded";
    }
    const lockKey = this.key("lock", key);
    const lockToken = `${this.instance}:${bull.id}`;
    if ((await this.client.set(lockKey, lockToken, "PX", o.lockMs, "NX")) === null) {
      // Another instance runs a job for this change: wait our turn.
      o.logger.debug(jobFields(job), "another job for this change is running; waiting");
      await bull.moveToDelayed(Date.now() + 200 + Math.floor(Math.random() * 300), token);
      throw new DelayedError();
    }
    const renewal = setInterval(() => {
      void this.client.eval(RENEW_LOCK, 1, lockKey, lockToken, String(o.lockMs)).catch(() => undefined);
    }, Math.max(200, Math.floor(o.lockMs / 3)));
    this.renewals.add(renewal);
    const attempt = bull.attemptsMade + 1;
    o.logger.debug({ ...jobFields(job), jobId: bull.id, attempt }, "job started");
    try {
      const handler = this.handlers.get(job.platform);
      if (!handler) throw new Error(`no handler for platform ${job.platform}`);
      await handler(job, { superseded: () => this.outranked(latestKey, rankOf(job, seq)) });
      await this.client.eval(CLEAR_LATEST, 1, latestKey, String(seq));
      o.observer?.finished?.(job, "completed", seconds());
      return "completed";
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      if (isRateLimited(err) && !this.closing && !(await this.outranked(latestKey, rankOf(job, seq)))) {
        // Not a failure: the same attempt runs again once the platform allows it (no attempt used up).
        const delay = err.retryAfterMs ?? o.retryDelayMs;
        o.logger.info({ ...jobFields(job), retryInMs: delay }, "rate limited; job delayed");
        o.observer?.finished?.(job, "delayed", seconds());
        await bull.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
      if (isTransient(err)) {
        if (await this.outranked(latestKey, rankOf(job, seq))) {
          o.logger.info({ ...jobFields(job), err }, "job failed; not retried, a newer job for the change is queued");
          o.observer?.finished?.(job, "superseded", seconds());
          return "superseded";
        }
        if (attempt < o.attempts && !this.closing) {
          o.logger.warn({ ...jobFields(job), attempt, err }, "job failed; will retry");
          o.observer?.finished?.(job, "retried", seconds());
          throw err;
        }
      }
      await this.deadLetter(bull.id!, job, seq, attempt, err);
      o.observer?.finished?.(job, "dead_letter", seconds());
      throw new UnrecoverableError(describeError(err));
    } finally {
      clearInterval(renewal);
      this.renewals.delete(renewal);
      await this.client.eval(RELEASE_LOCK, 1, lockKey, lockToken).catch(() => undefined);
    }
  }

  /** Whether this job owns its event: claims it when the submitter died before claiming. */
  private async owns(id: string, eventId: string): Promise<boolean> {
    const seenKey = this.key("seen", eventId);
    const owner = await this.client.get(seenKey);
    if (owner !== null) return owner === id;
    if ((await this.client.set(seenKey, id, "EX", this.options.dedupeTtlSeconds, "NX")) !== null) return true;
    // The submitter claimed it for this very job in between.
    return (await this.client.get(seenKey)) === id;
  }

  private async outranked(latestKey: string, rank: Rank): Promise<boolean> {
    const [curSeq, curRevision, curOrder] = await this.client.hmget(latestKey, "seq", "revision", "order");
    return curSeq !== null && curRevision !== null && outranks(storedRank(curSeq, curRevision, curOrder), rank);
  }

  private async deadLetter(id: string, job: ReviewJob, seq: number, attempts: number, err: unknown): Promise<void> {
    const record: DeadLetter = { job, error: describeError(err), attempts, at: new Date().toISOString() };
    await this.client
      .multi()
      .lpush(this.key("dead", "letters"), JSON.stringify(record))
      .ltrim(this.key("dead", "letters"), 0, DEAD_LETTERS_KEPT - 1)
      // A manual redelivery of this event may try again.
      .eval(RELEASE_LOCK, 1, this.key("seen", job.eventId), id)
      .eval(CLEAR_LATEST, 1, this.key("latest", changeKey(job)), String(seq))
      .exec();
    this.options.logger.error({ ...jobFields(job), attempts, err }, "dead letter: review job failed for good");
  }

  async depth(): Promise<QueueDepth> {
    const c = await this.queue.getJobCounts("waiting", "prioritized", "delayed", "active");
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), delayed: c.delayed ?? 0, active: c.active ?? 0 };
  }

  async idle(pollMs = 50): Promise<void> {
    for (;;) {
      const d = await this.depth();
      if (d.waiting + d.delayed + d.active === 0) return;
      await sleep(pollMs);
    }
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const items = await this.client.lrange(this.key("dead", "letters"), 0, -1);
    // Read back from Redis: a record that is not one is left out, never trusted.
    return items.map(parseDeadLetter).filter((d): d is DeadLetter => d !== undefined);
  }

  /**
   * Stops taking jobs and waits for running ones up to the shutdown timeout; jobs still running then are
   * handed back: their locks lapse and another instance (or this one after a restart) runs them.
   */
  async close(waitMs = this.options.shutdownTimeoutMs): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const o = this.options;
    if (this.worker) {
      // Take no new jobs, then give the running ones the shutdown timeout to finish.
      await this.worker.pause(true).catch(() => undefined);
      let timeout: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.allSettled([...this.inFlight]).then(() => true),
        new Promise<boolean>((resolve) => {
          timeout = setTimeout(() => resolve(false), waitMs);
        }),
      ]);
      clearTimeout(timeout);
      if (!finished) {
        o.logger.warn(
          { running: this.inFlight.size, handBackAfterMs: o.lockMs },
          "shutdown: jobs still running are handed back; another instance takes them when their lock lapses",
        );
        for (const renewal of this.renewals) clearInterval(renewal);
      }
      await this.worker.close(!finished).catch(() => undefined);
    }
    await this.queue.close().catch(() => undefined);
    this.workerConnection?.disconnect();
    this.client.disconnect();
  }

  /**
   * Redis down or not answering: BullMQ's close waits for replies that never come, so drop the sockets.
   * Running jobs keep no lock renewal and are handed over when their locks lapse, as after a crash.
   */
  abort(): void {
    this.closing = true;
    for (const renewal of this.renewals) clearInterval(renewal);
    void this.worker?.close(true).catch(() => undefined);
    void this.queue.close().catch(() => undefined);
    this.workerConnection?.disconnect();
    this.client.disconnect();
  }
}
