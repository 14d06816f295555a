import { GerritRecheckLimiter } from "../../../src/platforms/gerrit/recheck-limit.js";

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
