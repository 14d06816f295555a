import { MemoryRecheckLimiter, onePerChange, RedisRecheckLimiter } from "../../src/platforms/recheck-limit.js";
import { describeWithRedis, startRedis, type RedisServer } from "../support/redis-server.js";

test("one recheck per account and change a minute; at most five per change in ten minutes", async () => {
  let now = 0;
  const limiter = new MemoryRecheckLimiter({ perAskerMs: 60_000, perChange: 5, perChangeMs: 600_000 }, () => now);
  expect(await limiter.allow("p~1", "alice")).toBe(true);
  expect(await limiter.allow("p~1", "alice")).toMatch(/a minute/);
  expect(await limiter.allow("p~2", "alice")).toBe(true); // another change
  now = 60_000;
  expect(await limiter.allow("p~1", "alice")).toBe(true);
  for (const who of ["b", "c", "d"]) expect(await limiter.allow("p~1", who)).toBe(true);
  expect(await limiter.allow("p~1", "e")).toMatch(/at most 5 rechecks per change in 10 minutes/);
  now = 600_001; // the first one left the window
  expect(await limiter.allow("p~1", "e")).toBe(true);
});

test("one per change: a second asker within the window is refused too, and the window ends", async () => {
  let now = 1_000_000;
  const limiter = new MemoryRecheckLimiter(onePerChange(60_000), () => now);
  expect(await limiter.allow("o/r#1", "octocat")).toBe(true);
  expect(await limiter.allow("o/r#1", "octocat")).toBe("one recheck a minute per account and change");
  expect(await limiter.allow("o/r#1", "hubot")).toBe("at most 1 recheck per change in a minute");
  expect(await limiter.allow("o/r#2", "hubot")).toBe(true);
  now += 59_999;
  expect(await limiter.allow("o/r#1", "hubot")).not.toBe(true);
  now += 1;
  expect(await limiter.allow("o/r#1", "hubot")).toBe(true);
});

describeWithRedis("rechecks counted in Redis", () => {
  let redis: RedisServer;
  const limiters: RedisRecheckLimiter[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const l of limiters) await l.close();
    await redis?.stop();
  });

  test("every instance on one Redis and QUEUE_PREFIX shares the limits; another prefix does not", async () => {
    const limits = { perAskerMs: 60_000, perChange: 3, perChangeMs: 600_000 };
    const [a, b, other] = ["p", "p", "q"].map((prefix) => new RedisRecheckLimiter(redis.url, `${prefix}:gerrit:recheck`, limits));
    limiters.push(a, b, other);
    expect(await a.allow("proj~1", "alice")).toBe(true);
    expect(await b.allow("proj~1", "alice")).toBe("one recheck a minute per account and change");
    expect(await other.allow("proj~1", "alice")).toBe(true);
    expect(await b.allow("proj~1", "bob")).toBe(true);
    expect(await a.allow("proj~1", "carol")).toBe(true);
    expect(await b.allow("proj~1", "dave")).toBe("at most 3 rechecks per change in 10 minutes");
    // The refused one was not counted for dave.
    expect(await a.allow("proj~2", "dave")).toBe(true);
  });
});
