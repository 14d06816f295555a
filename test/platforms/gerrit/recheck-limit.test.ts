import { GerritRecheckLimiter, RedisRecheckLimiter } from "../../../src/platforms/gerrit/recheck-limit.js";
import { describeWithRedis, startRedis, type RedisServer } from "../../support/redis-server.js";

test("one recheck per account and change a minute; at most five per change in ten minutes", () => {
  let now = 0;
  const limiter = new GerritRecheckLimiter({ perAccountMs: 60_000, perChange: 5, perChangeMs: 600_000 }, () => now);
  expect(limiter.allow("p~1", "alice")).toBe(true);
  expect(limiter.allow("p~1", "alice")).toMatch(/a minute/);
  expect(limiter.allow("p~2", "alice")).toBe(true); // another change
  now = 60_000;
  expect(limiter.allow("p~1", "alice")).toBe(true);
  for (const who of ["b", "c", "d"]) expect(limiter.allow("p~1", who)).toBe(true);
  expect(limiter.allow("p~1", "e")).toMatch(/at most 5 rechecks per change in 10 minutes/);
  now = 600_001; // the first one left the window
  expect(limiter.allow("p~1", "e")).toBe(true);
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
    const limits = { perAccountMs: 60_000, perChange: 3, perChangeMs: 600_000 };
    const [a, b, other] = ["p", "p", "q"].map((prefix) => new RedisRecheckLimiter(redis.url, prefix, limits));
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
