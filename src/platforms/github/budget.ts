/**
 * The write budget of each installation, shared by every instance: GitHub's secondary rate limits
 * allow at most 80 content-creating requests a minute and 500 an hour per installation (POST, PATCH,
 * PUT, DELETE and GraphQL mutations; limits.ts), whatever the number of processes sending them.
 *
 * Each limit is a bucket of tokens: a write spends one, and that token comes back exactly one window
 * (60 s, 3,600 s) after it was spent, so no window of that length ever holds more writes than the
 * limit (a bucket refilled at a steady rate would allow a burst of the whole limit and then the rate on
 * top). `take(n)` spends n tokens of both buckets at once or none, and says how long until n are free.
 * When GitHub itself says wait (`retry-after`, `x-ratelimit-reset`), `pause` holds every write of the
 * installation until then, on every instance.
 *
 * With REDIS_URL the buckets are sorted sets in Redis, changed by one Lua script on Redis's clock (so
 * instances with skewed clocks agree, and a killed instance holds nothing: its spent tokens simply come
 * back); otherwise they live in this process.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { GITHUB_LIMITS } from "./limits.js";

export interface BudgetLimits {
  perMinute: number;
  perHour: number;
  /** Added to each window: a write admitted at the window's edge may reach GitHub a little later. */
  marginMs: number;
}

/**
 * GitHub's documented secondary limits for content-creating requests. A token is stamped when it is
 * reserved, and a busy process may send the write seconds later (GitHub counts its arrival): the margin
 * covers that lag (the load test saw one 403 with 1 s on a machine at load 30).
 */
export const GITHUB_WRITE_LIMITS: BudgetLimits = { perMinute: GITHUB_LIMITS.writesPerMinute, perHour: GITHUB_LIMITS.writesPerHour, marginMs: 5000 };

const MINUTE = 60_000;
const HOUR = 3_600_000;

export type Take = { ok: true } | { ok: false; waitMs: number };

export interface WriteBudget {
  readonly limits: BudgetLimits;
  /** Spends `n` write tokens of the installation now, or none and says how long until `n` are free. */
  take(installation: number, n: number): Promise<Take>;
  /** GitHub said wait: no writes for the installation until `untilMs` (epoch ms). */
  pause(installation: number, untilMs: number): Promise<void>;
  /** What is left now (the status page); spends nothing. */
  left?(installation: number): Promise<BudgetLeft>;
  close(): Promise<void>;
}

export interface BudgetLeft {
  minute: number;
  hour: number;
  /** Ms until GitHub's pause ends (0: not paused). */
  pausedMs: number;
}

/** The budget in this process (no REDIS_URL): one instance, so its own count is the whole count. */
export class MemoryWriteBudget implements WriteBudget {
  private readonly spent = new Map<number, { minute: number[]; hour: number[]; pausedUntil: number }>();

  constructor(
    readonly limits: BudgetLimits = GITHUB_WRITE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private state(installation: number) {
    let s = this.spent.get(installation);
    if (!s) this.spent.set(installation, (s = { minute: [], hour: [], pausedUntil: 0 }));
    return s;
  }

  async take(installation: number, n: number): Promise<Take> {
    const now = this.now();
    const s = this.state(installation);
    if (s.pausedUntil > now) return { ok: false, waitMs: s.pausedUntil - now };
    const minuteWindow = MINUTE + this.limits.marginMs;
    const hourWindow = HOUR + this.limits.marginMs;
    s.minute = s.minute.filter((t) => t > now - minuteWindow);
    s.hour = s.hour.filter((t) => t > now - hourWindow);
    const wait = Math.max(
      waitFor(s.minute, n, this.limits.perMinute, minuteWindow, now),
      waitFor(s.hour, n, this.limits.perHour, hourWindow, now),
    );
    if (wait > 0) return { ok: false, waitMs: wait };
    for (let i = 0; i < n; i++) {
      s.minute.push(now);
      s.hour.push(now);
    }
    return { ok: true };
  }

  async pause(installation: number, untilMs: number): Promise<void> {
    const s = this.state(installation);
    s.pausedUntil = Math.max(s.pausedUntil, untilMs);
  }

  async left(installation: number): Promise<BudgetLeft> {
    const now = this.now();
    const s = this.state(installation);
    const minute = s.minute.filter((t) => t > now - (MINUTE + this.limits.marginMs)).length;
    const hour = s.hour.filter((t) => t > now - (HOUR + this.limits.marginMs)).length;
    return { minute: Math.max(0, this.limits.perMinute - minute), hour: Math.max(0, this.limits.perHour - hour), pausedMs: Math.max(0, s.pausedUntil - now) };
  }

  async close(): Promise<void> {}
}

/** How long until `n` more fit in a window holding `times` (sorted, oldest first). */
function waitFor(times: number[], n: number, limit: number, window: number, now: number): number {
  if (n > limit) return Infinity;
  const over = times.length + n - limit;
  if (over <= 0) return 0;
  return times[over - 1]! + window - now;
}

/**
 * KEYS: minute set, hour set, pause key. ARGV: n, per minute, minute window ms, per hour, hour window ms,
 * member id. Returns 0 when the n tokens were spent, else the wait in ms.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return paused - now end
local wait = 0
local sets = { { KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]) }, { KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]) } }
for _, s in ipairs(sets) do
  redis.call('ZREMRANGEBYSCORE', s[1], '-inf', now - s[3])
  local over = redis.call('ZCARD', s[1]) + n - s[2]
  if over > 0 then
    if n > s[2] then return -1 end
    local oldest = redis.call('ZRANGE', s[1], over - 1, over - 1, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + s[3] - now)
  end
end
if wait > 0 then return wait end
for _, s in ipairs(sets) do
  for i = 1, n do redis.call('ZADD', s[1], now, ARGV[6] .. ':' .. i) end
  redis.call('PEXPIRE', s[1], s[3])
end
return 0
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = tonumber(ARGV[1]) - tonumber(ARGV[2]) + now
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > cur and until_ms > now then redis.call('SET', KEYS[1], until_ms, 'PX', until_ms - now) end
return 0
`;

/** KEYS: minute set, hour set, pause key. ARGV: minute window ms, hour window ms. Spent tokens and the pause left. */
const LEFT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local m = redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
local h = redis.call('ZCOUNT', KEYS[2], '(' .. (now - tonumber(ARGV[2])), '+inf')
local p = tonumber(redis.call('GET', KEYS[3]) or '0')
return { m, h, math.max(0, p - now) }
`;

/** The budget in Redis, shared by every instance with the same REDIS_URL and prefix. */
export class RedisWriteBudget implements WriteBudget {
  private readonly client: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    readonly limits: BudgetLimits = GITHUB_WRITE_LIMITS,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 3, connectionName: "eventlet-review-budget", lazyConnect: false });
    this.client.on("error", () => undefined); // the queue's connection reports Redis trouble
  }

  private key(installation: number, kind: string): string {
    return `${this.prefix}:github:budget:${installation}:${kind}`;
  }

  async take(installation: number, n: number): Promise<Take> {
    const wait = Number(
      await this.client.eval(
        TAKE,
        3,
        this.key(installation, "minute"),
        this.key(installation, "hour"),
        this.key(installation, "pause"),
        String(n),
        String(this.limits.perMinute),
        String(MINUTE + this.limits.marginMs),
        String(this.limits.perHour),
        String(HOUR + this.limits.marginMs),
        randomUUID(),
      ),
    );
    if (wait === 0) return { ok: true };
    return { ok: false, waitMs: wait < 0 ? Infinity : wait };
  }

  async pause(installation: number, untilMs: number): Promise<void> {
    // Sent as "this many ms from my now", applied on Redis's clock.
    await this.client.eval(PAUSE, 1, this.key(installation, "pause"), String(untilMs), String(Date.now()));
  }

  async left(installation: number): Promise<BudgetLeft> {
    const [minute, hour, paused] = (await this.client.eval(
      LEFT,
      3,
      this.key(installation, "minute"),
      this.key(installation, "hour"),
      this.key(installation, "pause"),
      String(MINUTE + this.limits.marginMs),
      String(HOUR + this.limits.marginMs),
    )) as [number, number, number];
    return { minute: Math.max(0, this.limits.perMinute - Number(minute)), hour: Math.max(0, this.limits.perHour - Number(hour)), pausedMs: Number(paused) };
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
