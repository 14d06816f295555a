/**
 * Queue semantics, the same suite for the in-process queue and for BullMQ on a real redis-server:
 * dedupe by eventId, supersede by change, rechecks, stale patch sets, concurrency, one running job per
 * change, retries with backoff, the dead-letter log, graceful close. Then what only Redis can do:
 * several instances on one queue, jobs that outlive their instance, hand-back on shutdown.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { type ReviewJob, RateLimitedError, TransientError } from "../../../src/platforms/adapter.js";
import type { JobOutcome, QueueOptions, ServiceQueue } from "../../../src/service/queue/common.js";
import { MemoryQueue } from "../../../src/service/queue/memory.js";
import { RedisQueue } from "../../../src/service/queue/redis.js";
import { CaptureLogger } from "../../support/capture-logger.js";
import { describeWithRedis, startRedis, type RedisServer } from "../../support/redis-server.js";

function job(change: string, revision: string, extra: Partial<ReviewJob> = {}): ReviewJob {
  return {
    eventId: randomUUID(),
    platform: "github",
    repository: "org/repo",
    change,
    revision,
    payload: { note: `${change}@${revision}` },
    ...extra,
  };
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Recorder {
  outcomes: { job: ReviewJob; outcome: JobOutcome }[];
  logger: CaptureLogger;
}

type Make = (overrides?: Partial<QueueOptions>, recorder?: Recorder) => ServiceQueue;

function recorder(): Recorder {
  return { outcomes: [], logger: new CaptureLogger() };
}

function baseOptions(rec: Recorder, overrides: Partial<QueueOptions>): QueueOptions {
  return {
    concurrency: 2,
    attempts: 3,
    retryDelayMs: 10,
    retryMaxDelayMs: 50,
    dedupeTtlSeconds: 60,
    shutdownTimeoutMs: 2000,
    logger: rec.logger,
    observer: { finished: (j, outcome) => rec.outcomes.push({ job: j, outcome }) },
    ...overrides,
  };
}

function semantics(name: string, make: () => Make): void {
  describe(`${name} queue`, () => {
    const open: ServiceQueue[] = [];
    const create = (overrides: Partial<QueueOptions> = {}, rec = recorder()) => {
      const q = make()(overrides, rec);
      open.push(q);
      return q;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.close()));
    });

    test("runs a job with its platform's handler, and a redelivered event never twice", async () => {
      const q = create();
      const ran: ReviewJob[] = [];
      q.handle("github", async (j) => {
        ran.push(j);
      });
      await q.start();
      const j = job("1", "aaa");
      expect(await q.submit(j)).toEqual({ accepted: true });
      await until(() => ran.length === 1);
      await q.idle();
      expect(await q.submit({ ...j })).toEqual({ accepted: false, reason: "duplicate" });
      await q.idle();
      expect(ran).toHaveLength(1);
      expect(ran[0]).toEqual(j);
    });

    test("a newer revision replaces the queued job of the same change; a recheck runs again", async () => {
      const rec = recorder();
      const q = create({ concurrency: 1 }, rec);
      const ran: string[] = [];
      const blocker = gate();
      q.handle("github", async (j) => {
        if (j.change === "block") await blocker.wait;
        ran.push(`${j.change}@${j.revision}${j.recheck ? "!" : ""}`);
      });
      await q.start();
      await q.submit(job("block", "x"));
      await until(async () => (await q.depth()).active === 1);
      await q.submit(job("7", "sha1"));
      await q.submit(job("7", "sha2"));
      await q.submit(job("7", "sha3"));
      blocker.open();
      await until(() => ran.length === 2);
      await q.idle();
      expect(ran).toEqual(["block@x", "7@sha3"]);
      expect(rec.outcomes.filter((o) => o.outcome === "superseded").map((o) => o.job.revision)).toEqual(["sha1", "sha2"]);

      await q.submit(job("7", "sha3", { recheck: true }));
      await until(() => ran.length === 3);
      expect(ran[2]).toBe("7@sha3!");
    });

    test("an event for an older patch set than the queued one is stale; a queued recheck keeps its flag", async () => {
      const q = create({ concurrency: 1 });
      const ran: string[] = [];
      const blocker = gate();
      q.handle("gerrit", async (j) => {
        if (j.change === "block") await blocker.wait;
        ran.push(`${j.change}/${j.revision}${j.recheck ? "!" : ""}`);
      });
      await q.start();
      await q.submit(job("block", "1", { platform: "gerrit" }));
      await until(async () => (await q.depth()).active === 1);
      expect(await q.submit(job("42", "10", { platform: "gerrit" }))).toEqual({ accepted: true });
      expect(await q.submit(job("42", "9", { platform: "gerrit" }))).toEqual({ accepted: false, reason: "stale" });
      expect(await q.submit(job("42", "10", { platform: "gerrit", recheck: true }))).toEqual({ accepted: true });
      expect(await q.submit(job("42", "10", { platform: "gerrit" }))).toEqual({ accepted: true });
      blocker.open();
      await until(() => ran.length === 2);
      await q.idle();
      expect(ran).toEqual(["block/1", "42/10!"]);
    });

    test("with revisionOrder, a late webhook of an older push is stale, also against a running job", async () => {
      const q = create({ concurrency: 1 });
      const ran: string[] = [];
      const blocker = gate();
      q.handle("github", async (j) => {
        if (j.revision === "new") await blocker.wait;
        ran.push(j.revision);
      });
      await q.start();
      expect(await q.submit(job("8", "new", { revisionOrder: 2000 }))).toEqual({ accepted: true });
      await until(async () => (await q.depth()).active === 1);
      // The older push's webhook arrives late (a redelivery, a retry through another instance).
      expect(await q.submit(job("8", "old", { revisionOrder: 1000 }))).toEqual({ accepted: false, reason: "stale" });
      // Without an order the later event wins, as before.
      expect(await q.submit(job("8", "other"))).toEqual({ accepted: true });
      blocker.open();
      await until(() => ran.length === 2);
      await q.idle();
      expect(ran).toEqual(["new", "other"]);
    });

    test("runs at most `concurrency` jobs at once, and one job per change at a time", async () => {
      const q = create({ concurrency: 3 });
      let running = 0;
      let peak = 0;
      const perChange = new Map<string, number>();
      let perChangePeak = 0;
      q.handle("github", async (j) => {
        running++;
        peak = Math.max(peak, running);
        perChange.set(j.change, (perChange.get(j.change) ?? 0) + 1);
        perChangePeak = Math.max(perChangePeak, perChange.get(j.change)!);
        await new Promise((r) => setTimeout(r, 30));
        perChange.set(j.change, perChange.get(j.change)! - 1);
        running--;
      });
      await q.start();
      for (let i = 0; i < 10; i++) await q.submit(job(String(i), "a"));
      // A second revision of change 0 while its first may be running: it waits for it.
      await q.submit(job("0", "b"));
      await q.idle();
      expect(peak).toBe(3);
      expect(perChangePeak).toBe(1);
    });

    test("retries a TransientError with backoff, then succeeds", async () => {
      const rec = recorder();
      const q = create({ attempts: 4 }, rec);
      const times: number[] = [];
      q.handle("github", async () => {
        times.push(Date.now());
        if (times.length < 3) throw new TransientError("GitHub said 502");
      });
      await q.start();
      await q.submit(job("5", "a"));
      await until(() => rec.outcomes.some((o) => o.outcome === "completed"));
      expect(times).toHaveLength(3);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(4); // at least half of the 10 ms base
      expect(rec.outcomes.map((o) => o.outcome)).toEqual(["retried", "retried", "completed"]);
      expect(await q.deadLetters()).toEqual([]);
      expect(rec.logger.lines.filter((l) => l.msg === "job failed; will retry")).toHaveLength(2);
    });

    test("a permanent error goes to the dead-letter log at once; exhausted retries too", async () => {
      const rec = recorder();
      const q = create({ attempts: 3 }, rec);
      const calls = new Map<string, number>();
      q.handle("github", async (j) => {
        calls.set(j.change, (calls.get(j.change) ?? 0) + 1);
        if (j.change === "bad") throw new Error("422 Unprocessable Entity");
        throw new TransientError("network down");
      });
      await q.start();
      const bad = job("bad", "a");
      await q.submit(bad);
      await q.submit(job("flaky", "a"));
      await until(() => rec.outcomes.filter((o) => o.outcome === "dead_letter").length === 2);
      await q.idle();
      expect(calls.get("bad")).toBe(1);
      expect(calls.get("flaky")).toBe(3);
      const dead = await q.deadLetters();
      expect(dead.map((d) => [d.job.change, d.attempts]).sort()).toEqual([
        ["bad", 1],
        ["flaky", 3],
      ]);
      expect(dead.find((d) => d.job.change === "bad")!.error).toBe("Error: 422 Unprocessable Entity");
      const logged = rec.logger.lines.filter((l) => l.level === "error" && l.msg.startsWith("dead letter"));
      expect(logged.map((l) => l.fields.change).sort()).toEqual(["bad", "flaky"]);
      // An operator's manual redelivery of a dead-lettered event runs again.
      expect(await q.submit({ ...bad })).toEqual({ accepted: true });
    });

    test("close() stops taking events and waits for the running job", async () => {
      const q = create();
      const finished: string[] = [];
      q.handle("github", async (j) => {
        await new Promise((r) => setTimeout(r, 200));
        finished.push(j.change);
      });
      await q.start();
      await q.submit(job("1", "a"));
      await until(async () => (await q.depth()).active === 1);
      await q.close();
      expect(finished).toEqual(["1"]);
      expect(q.ready()).toBe(false);
      await expect(q.submit(job("2", "a"))).rejects.toThrow(/shutting down/);
    });

    test("a rate-limited job is delayed by its wait and runs again without using up an attempt, never dead-lettered", async () => {
      const rec = recorder();
      const q = create({ attempts: 1 }, rec);
      const runs: number[] = [];
      q.handle("github", async () => {
        runs.push(Date.now());
        if (runs.length <= 2) throw new RateLimitedError("write budget spent", 300);
      });
      await q.start();
      await q.submit(job("1", "a"));
      await until(() => runs.length === 3, 10_000);
      await q.idle();
      // attempts: 1 would dead-letter the first transient failure; a rate limit is not one.
      expect(await q.deadLetters()).toEqual([]);
      expect(rec.outcomes.map((o) => o.outcome)).toEqual(["delayed", "delayed", "completed"]);
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(290);
      expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(290);
    });

    test("a running job learns that a newer job for its change is queued (control.superseded)", async () => {
      const q = create({ concurrency: 2 });
      const blocker = gate();
      const seen: boolean[] = [];
      q.handle("github", async (j, control) => {
        if (j.revision !== "sha1") return;
        seen.push(await control!.superseded());
        await blocker.wait;
        seen.push(await control!.superseded());
      });
      await q.start();
      await q.submit(job("9", "sha1"));
      await until(() => seen.length === 1);
      await q.submit(job("9", "sha2"));
      blocker.open();
      await until(() => seen.length === 2);
      await q.idle();
      expect(seen).toEqual([false, true]);
    });

    test("a job for a platform with no handler is dead-lettered, not lost silently", async () => {
      const rec = recorder();
      const q = create({}, rec);
      await q.start();
      await q.submit(job("1", "a", { platform: "gerrit" }));
      await until(() => rec.outcomes.length === 1);
      expect(rec.outcomes[0]!.outcome).toBe("dead_letter");
      expect((await q.deadLetters())[0]!.error).toMatch(/no handler for platform gerrit/);
    });
  });
}

semantics("in-process", () => (overrides = {}, rec = recorder()) => new MemoryQueue(baseOptions(rec, overrides)));

describe("in-process queue", () => {
  test("drops what it cannot finish by the shutdown timeout, and says so", async () => {
    const rec = recorder();
    const q = new MemoryQueue(baseOptions(rec, { concurrency: 1, shutdownTimeoutMs: 100 }));
    const blocker = gate();
    q.handle("github", () => blocker.wait);
    await q.start();
    await q.submit(job("1", "a"));
    await q.submit(job("2", "a"));
    await q.close();
    blocker.open();
    const warning = rec.logger.lines.find((l) => l.level === "warn");
    expect(warning?.msg).toMatch(/2 review job\(s\) unfinished and lost/);
  });
});

describeWithRedis("Redis", () => {
  let redis: RedisServer;
  let prefix = "";
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(() => {
    prefix = `t${randomUUID().slice(0, 8)}`;
  });

  const makeRedis =
    (lockMs = 5000): Make =>
    (overrides = {}, rec = recorder()) =>
      new RedisQueue({ ...baseOptions(rec, overrides), url: redis.url, prefix, lockMs });

  semantics("BullMQ", () => makeRedis());

  describe("several instances", () => {
    const open: ServiceQueue[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.close()));
    });
    const instance = (overrides: Partial<QueueOptions> = {}, rec = recorder(), lockMs = 5000) => {
      const q = makeRedis(lockMs)(overrides, rec);
      open.push(q);
      return q;
    };

    test("share one queue: every event runs once, on one of them, whichever received it", async () => {
      const a = instance();
      const b = instance();
      const ran: { id: string; by: string }[] = [];
      a.handle("github", async (j) => {
        ran.push({ id: j.eventId, by: "a" });
        await new Promise((r) => setTimeout(r, 5));
      });
      b.handle("github", async (j) => {
        ran.push({ id: j.eventId, by: "b" });
        await new Promise((r) => setTimeout(r, 5));
      });
      await Promise.all([a.start(), b.start()]);
      const jobs = Array.from({ length: 30 }, (_, i) => job(String(i), "a"));
      // Every event arrives at both instances (a redelivery that a load balancer sent elsewhere).
      const results = await Promise.all(jobs.flatMap((j) => [a.submit(j), b.submit({ ...j })]));
      expect(results.filter((r) => r.accepted)).toHaveLength(30);
      await until(() => ran.length >= 30);
      await Promise.all([a.idle(), b.idle()]);
      expect(ran).toHaveLength(30);
      expect(new Set(ran.map((r) => r.id)).size).toBe(30);
      expect(new Set(ran.map((r) => r.by))).toEqual(new Set(["a", "b"]));
    });

    test("a worker that takes a job before its submitter claimed the event does not make it a duplicate", async () => {
      const a = instance({ concurrency: 8 });
      const ran: string[] = [];
      a.handle("github", async (j) => {
        ran.push(j.eventId);
      });
      await a.start();
      // Idle workers pick each job the moment it is added, racing the submitter's claim.
      const results: { accepted: boolean }[] = [];
      for (let i = 0; i < 40; i++) results.push(await a.submit(job(`r${i}`, "a")));
      expect(results.filter((r) => !r.accepted)).toEqual([]);
      await until(() => ran.length === 40);
      await a.idle();
      expect(new Set(ran).size).toBe(40);
    });

    test("jobs outlive the instance that queued them", async () => {
      const a = instance();
      await a.submit(job("1", "a"));
      await a.submit(job("2", "a"));
      await a.close();
      const b = instance();
      const ran: string[] = [];
      b.handle("github", async (j) => {
        ran.push(j.change);
      });
      await b.start();
      await until(() => ran.length === 2);
      expect(ran.sort()).toEqual(["1", "2"]);
    });

    test("a job still running at shutdown is handed back and runs on another instance", async () => {
      const a = instance({ shutdownTimeoutMs: 100 }, recorder(), 1000);
      const stuck = gate();
      let aStarted = false;
      a.handle("github", async () => {
        aStarted = true;
        await stuck.wait;
      });
      await a.start();
      await a.submit(job("9", "a"));
      await until(() => aStarted);
      await a.close();
      const b = instance({}, recorder(), 1000);
      const ran: string[] = [];
      b.handle("github", async (j) => {
        ran.push(j.change);
      });
      await b.start();
      await until(() => ran.length === 1, 10_000);
      expect(ran).toEqual(["9"]);
      stuck.open();
    });

    test("an event whose instance died between queueing and claiming it runs once, redelivered or not", async () => {
      // What the dead instance left behind: the job in BullMQ, no claim on its event.
      const raw = new Queue("reviews", { connection: { host: "127.0.0.1", port: redis.port }, prefix });
      const orphan = job("4", "a");
      await raw.add("review", { job: orphan, seq: 1, receivedAt: Date.now() }, { jobId: randomUUID() });
      await raw.close();
      const b = instance();
      const ran: string[] = [];
      b.handle("github", async (j) => {
        ran.push(j.eventId);
      });
      // GitHub got no answer, so the delivery comes again.
      const redelivered = await b.submit({ ...orphan });
      await b.start();
      await until(() => ran.length >= 1);
      await b.idle();
      expect(redelivered.accepted).toBe(true);
      expect(ran).toEqual([orphan.eventId]);
      expect(await b.submit({ ...orphan })).toEqual({ accepted: false, reason: "duplicate" });
    });

    test("a job in Redis that is not a valid review job is dead-lettered with a clear error, and the worker goes on", async () => {
      const rec = recorder();
      const q = instance({}, rec);
      const ran: string[] = [];
      q.handle("github", async (j) => {
        ran.push(j.eventId);
      });
      // What someone with access to the Redis could write: a job of the wrong shape, and no job at all.
      const raw = new Queue("reviews", { connection: { host: "127.0.0.1", port: redis.port }, prefix });
      try {
        await raw.add("review", { job: { eventId: "poison-1", platform: "github", repository: "org/repo", change: "1", revision: "a", payload: "rm -rf" }, seq: 1, receivedAt: 0 });
        await raw.add("review", { installationId: "'; DROP TABLE", seq: -1 });
      } finally {
        await raw.close();
      }
      await q.start();
      const good = job("2", "a");
      await q.submit(good);
      await until(() => ran.length === 1);
      await until(async () => (await q.deadLetters()).length === 2);
      expect(ran).toEqual([good.eventId]);
      const letters = await q.deadLetters();
      expect(letters.map((l) => l.error).sort()).toEqual([
        "not a valid review job: job.payload: Invalid input: expected record, received string",
        expect.stringMatching(/^not a valid review job: job: Invalid input: expected object, received undefined; seq: /),
      ]);
      expect(letters.map((l) => l.job.eventId)).toContain("poison-1");
      const logged = rec.logger.lines.filter((l) => l.msg === "dead letter: a job read from Redis is not a valid review job");
      expect(logged).toHaveLength(2);
      expect(logged.every((l) => l.level === "error")).toBe(true);
    });

    test("a dead-letter list entry that is not a record is left out, not trusted", async () => {
      const q = instance();
      const client = new Redis(redis.url);
      try {
        await client.lpush(`${prefix}:reviews:x:dead:letters`, "not json", JSON.stringify({ job: { eventId: 1 } }));
      } finally {
        await client.quit();
      }
      expect(await q.deadLetters()).toEqual([]);
    });

    test("every key is under QUEUE_PREFIX: two prefixes on one Redis share nothing", async () => {
      const other = `${prefix}-other`;
      const a = instance();
      const b = new RedisQueue({ ...baseOptions(recorder(), {}), url: redis.url, prefix: other, lockMs: 5000 });
      open.push(b);
      const ran: string[] = [];
      a.handle("github", async (j) => void ran.push(`a:${j.eventId}`));
      b.handle("github", async (j) => void ran.push(`b:${j.eventId}`));
      await Promise.all([a.start(), b.start()]);
      const same = job("1", "a");
      // The same event on both: each prefix has its own dedupe, supersede and lock keys.
      expect(await a.submit({ ...same })).toEqual({ accepted: true });
      expect(await b.submit({ ...same })).toEqual({ accepted: true });
      await until(() => ran.length === 2);
      await Promise.all([a.idle(), b.idle()]);
      expect(ran.sort()).toEqual([`a:${same.eventId}`, `b:${same.eventId}`]);
      const client = new Redis(redis.url);
      try {
        const keys = [...(await client.keys(`${prefix}*`))];
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) expect(key.startsWith(`${prefix}:`) || key.startsWith(`${other}:`)).toBe(true);
        // Nothing of ours outside the two prefixes (the other tests use prefixes of their own, `t…`).
        for (const key of await client.keys("*")) expect(key).toMatch(/^t[0-9a-f]{8}(-other)?:/);
      } finally {
        await client.quit();
      }
    });

    test("a Redis that requires AUTH works with the password in REDIS_URL", async () => {
      const secured = await startRedis({ password: "s3cret pass/word" });
      const q = new RedisQueue({ ...baseOptions(recorder(), {}), url: secured.url, prefix, lockMs: 5000 });
      try {
        const ran: string[] = [];
        q.handle("github", async (j) => void ran.push(j.eventId));
        await q.start();
        const one = job("1", "a");
        await q.submit(one);
        await until(() => ran.length === 1);
        expect(ran).toEqual([one.eventId]);
        // Without the password the server refuses.
        const anonymous = new Redis(`redis://127.0.0.1:${secured.port}`, { maxRetriesPerRequest: 0, lazyConnect: true });
        try {
          await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
        } finally {
          anonymous.disconnect();
        }
      } finally {
        await q.close();
        await secured.stop();
      }
    });

    test("a newer revision queued on one instance supersedes the job another instance queued", async () => {
      const rec = recorder();
      const a = instance({ concurrency: 1 }, rec);
      const b = instance({ concurrency: 1 }, rec);
      await a.submit(job("3", "old"));
      await b.submit(job("3", "new"));
      const ran: string[] = [];
      a.handle("github", async (j) => {
        ran.push(j.revision);
      });
      await a.start();
      await until(() => ran.length === 1);
      await a.idle();
      expect(ran).toEqual(["new"]);
      expect(rec.outcomes.find((o) => o.outcome === "superseded")?.job.revision).toBe("old");
    });
  });
});
