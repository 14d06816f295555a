/**
 * The write budget: no window of a minute (or an hour) ever holds more writes than GitHub's limit,
 * `take(n)` is all or nothing, a pause from GitHub holds every writer; in memory and, shared by two
 * clients as two instances would share it, on a real redis-server.
 */
import { randomUUID } from "node:crypto";
import { MemoryWriteBudget, RedisWriteBudget, type WriteBudget } from "../../../src/platforms/github/budget.js";
import { isWrite, rateLimitWait } from "../../../src/platforms/github/writes.js";
import { describeWithRedis, startRedis, type RedisServer } from "../../support/redis-server.js";

const LIMITS = { perMinute: 80, perHour: 500, marginMs: 0 };

describe("in-memory write budget (a clock of our own)", () => {
  test("80 writes a minute: the 81st waits until the first one is a minute old", async () => {
    let now = 1_000_000;
    const budget = new MemoryWriteBudget(LIMITS, () => now);
    expect(await budget.take(1, 50)).toEqual({ ok: true });
    now += 10_000;
    expect(await budget.take(1, 30)).toEqual({ ok: true });
    expect(await budget.take(1, 1)).toEqual({ ok: false, waitMs: 50_000 });
    expect(await budget.take(2, 80)).toEqual({ ok: true }); // another installation has its own
    now += 50_000; // the first 50 are a minute old
    expect(await budget.take(1, 51)).toEqual({ ok: false, waitMs: 10_000 }); // all or nothing
    expect(await budget.take(1, 50)).toEqual({ ok: true });
  });

  test("500 writes an hour, whatever the minutes allow", async () => {
    let now = 0;
    const budget = new MemoryWriteBudget(LIMITS, () => now);
    for (let i = 0; i < 6; i++) {
      expect(await budget.take(1, 80)).toEqual({ ok: true });
      now += 60_000;
    }
    expect(await budget.take(1, 20)).toEqual({ ok: true }); // 500
    const last = await budget.take(1, 1);
    expect(last.ok).toBe(false);
    expect(last.ok ? 0 : last.waitMs).toBe(3_600_000 - 360_000);
  });

  test("a pause from GitHub holds the installation's writes until it ends", async () => {
    let now = 0;
    const budget = new MemoryWriteBudget(LIMITS, () => now);
    await budget.pause(1, 30_000);
    expect(await budget.take(1, 1)).toEqual({ ok: false, waitMs: 30_000 });
    now = 30_000;
    expect(await budget.take(1, 1)).toEqual({ ok: true });
  });

  test("what is left (the status page) spends nothing", async () => {
    let now = 0;
    const budget = new MemoryWriteBudget(LIMITS, () => now);
    expect(await budget.left(1)).toEqual({ minute: 80, hour: 500, pausedMs: 0 });
    await budget.take(1, 30);
    now = 61_000;
    await budget.take(1, 5);
    await budget.pause(1, 70_000);
    expect(await budget.left(1)).toEqual({ minute: 75, hour: 465, pausedMs: 9_000 });
    expect(await budget.left(1)).toEqual({ minute: 75, hour: 465, pausedMs: 9_000 });
  });
});

describe("which requests are writes", () => {
  test("POST, PATCH, PUT, DELETE and GraphQL mutations; not reads, GraphQL queries or token requests", () => {
    expect(isWrite({ method: "POST", url: "/repos/{owner}/{repo}/check-runs" })).toBe(true);
    expect(isWrite({ method: "PATCH", url: "/repos/o/r/check-runs/1" })).toBe(true);
    expect(isWrite({ method: "DELETE", url: "/repos/o/r/pulls/1/reviews/2" })).toBe(true);
    expect(isWrite({ method: "GET", url: "/repos/o/r/pulls/1/files" })).toBe(false);
    expect(isWrite({ method: "POST", url: "/graphql", query: "query Q { viewer { login } }" })).toBe(false);
    expect(isWrite({ method: "POST", url: "https://ghe.example/api/graphql", query: " mutation M { x }" })).toBe(true);
    expect(isWrite({ method: "POST", url: "/app/installations/7/access_tokens" })).toBe(false);
  });

  test("GitHub's waits: retry-after, x-ratelimit-reset, and a minute for a bare secondary limit", () => {
    const error = (status: number, headers: Record<string, string>, message = "") => ({ status, message, response: { headers } });
    expect(rateLimitWait(error(403, { "retry-after": "7" }))).toBe(7000);
    expect(rateLimitWait(error(429, { "retry-after": "0" }))).toBe(1000);
    expect(rateLimitWait(error(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1100" }), 1_000_000)).toBe(100_000);
    expect(rateLimitWait(error(403, {}, "You have exceeded a secondary rate limit"))).toBe(60_000);
    expect(rateLimitWait(error(403, {}, "Resource not accessible by integration"))).toBeUndefined();
    expect(rateLimitWait(error(502, { "retry-after": "5" }))).toBeUndefined();
  });
});

describeWithRedis("Redis write budget", () => {
  let redis: RedisServer;
  const open: WriteBudget[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await redis?.stop();
  });
  const budget = (prefix: string) => {
    const b = new RedisWriteBudget(redis.url, prefix, LIMITS);
    open.push(b);
    return b;
  };

  test("two instances share one budget per installation: together they never pass 80 a minute", async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const a = budget(prefix);
    const b = budget(prefix);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).take(42, 1)));
    expect(results.filter((r) => r.ok)).toHaveLength(80);
    const refused = results.find((r) => !r.ok)!;
    expect(refused.ok ? 0 : refused.waitMs).toBeGreaterThan(55_000);
    expect(await a.take(43, 80)).toEqual({ ok: true }); // another installation
    expect(await budget(`other-${prefix}`).take(42, 80)).toEqual({ ok: true }); // another prefix
  });

  test("take(n) is all or nothing; more than the limit can never fit", async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const a = budget(prefix);
    expect(await a.take(1, 79)).toEqual({ ok: true });
    expect((await a.take(1, 2)).ok).toBe(false);
    expect(await a.take(1, 1)).toEqual({ ok: true });
    expect(await a.take(2, 81)).toEqual({ ok: false, waitMs: Infinity });
  });

  test("a pause set by one instance holds the other's writes", async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    await budget(prefix).pause(5, Date.now() + 20_000);
    const held = await budget(prefix).take(5, 1);
    expect(held.ok).toBe(false);
    expect(held.ok ? 0 : held.waitMs).toBeGreaterThan(18_000);
  });

  test("what is left is the same from every instance, and reading it spends nothing", async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    expect(await budget(prefix).take(9, 30)).toEqual({ ok: true });
    expect(await budget(prefix).left(9)).toEqual({ minute: 50, hour: 470, pausedMs: 0 });
    await budget(prefix).pause(9, Date.now() + 20_000);
    const left = await budget(prefix).left(9);
    expect(left).toMatchObject({ minute: 50, hour: 470 });
    expect(left.pausedMs).toBeGreaterThan(18_000);
  });
});
