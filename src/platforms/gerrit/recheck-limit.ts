/**
 * Rechecks cost a review (REST reads, the analysis, a POST) and anyone who can comment may ask for one,
 * so they are rate-limited per change: one per account a minute, and a few per change in ten minutes
 * whoever asks. Over the limit the comment is ignored (logged): the next allowed recheck reviews the
 * same revision anyway. Every instance reading the same event stream takes the same decisions.
 */
import { Redis } from "ioredis";

export interface RecheckLimits {
  /** One recheck per account and change in this window (ms). */
  perAccountMs: number;
  /** At most `perChange` rechecks per change in `perChangeMs`, from any accounts. */
  perChange: number;
  perChangeMs: number;
}

export const DEFAULT_RECHECK_LIMITS: RecheckLimits = { perAccountMs: 60_000, perChange: 5, perChangeMs: 600_000 };
/** Changes remembered at most (oldest forgotten first): memory stays bounded under a flood. */
const KEPT = 10_000;

/** Decides whether a recheck may run now (in memory, or in Redis for every instance). */
export interface RecheckLimiter {
  allow(change: string, account: string): Promise<true | string> | true | string;
  close?(): Promise<void>;
}

export class GerritRecheckLimiter implements RecheckLimiter {
  private readonly byChange = new Map<string, { times: number[]; accounts: Map<string, number> }>();

  constructor(
    readonly limits: RecheckLimits = DEFAULT_RECHECK_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and counted) when `account` may recheck `change` now; else why not. */
  allow(change: string, account: string): true | string {
    const t = this.now();
    const entry = this.byChange.get(change) ?? { times: [], accounts: new Map<string, number>() };
    entry.times = entry.times.filter((at) => t - at < this.limits.perChangeMs);
    const last = entry.accounts.get(account);
    if (last !== undefined && t - last < this.limits.perAccountMs) return `one recheck a minute per account and change`;
    if (entry.times.length >= this.limits.perChange) return `at most ${this.limits.perChange} rechecks per change in ${this.limits.perChangeMs / 60_000} minutes`;
    entry.times.push(t);
    entry.accounts.set(account, t);
    for (const [who, at] of entry.accounts) if (t - at >= this.limits.perAccountMs) entry.accounts.delete(who);
    this.byChange.delete(change);
    this.byChange.set(change, entry);
    if (this.byChange.size > KEPT) this.byChange.delete(this.byChange.keys().next().value!);
    return true;
  }
}

/** The same limits for every instance that shares REDIS_URL and QUEUE_PREFIX (webhooks behind a load balancer). */
export class RedisRecheckLimiter {
  private readonly client: Redis;

  constructor(
    url: string,
    /** Keys are `<prefix>:gerrit:recheck:…` (QUEUE_PREFIX, as the queue's). */
    private readonly prefix: string,
    readonly limits: RecheckLimits = DEFAULT_RECHECK_LIMITS,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 3, connectionName: "eventlet-review-gerrit-recheck", lazyConnect: true });
    this.client.on("error", () => undefined); // the queue's connection reports Redis trouble
  }

  async allow(change: string, account: string): Promise<true | string> {
    const l = this.limits;
    // The per-change count is a fixed window of perChangeMs from its first recheck. A Redis that does not
    // answer lets the recheck through: the queue on the same Redis decides whether anything runs.
    const verdict = (await this.client
      .eval(
      ALLOW,
      2,
      `${this.prefix}:gerrit:recheck:account:${change}:${account}`,
      `${this.prefix}:gerrit:recheck:change:${change}`,
      String(l.perAccountMs),
      String(l.perChangeMs),
      String(l.perChange),
      )
      .catch(() => 0)) as number;
    if (verdict === 0) return true;
    return verdict === 1 ? "one recheck a minute per account and change" : `at most ${l.perChange} rechecks per change in ${l.perChangeMs / 60_000} minutes`;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** 0: allowed (and counted); 1: this account asked within perAccountMs; 2: the change had perChange already. */
const ALLOW = `
if not redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 1 end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if n > tonumber(ARGV[3]) then
  redis.call('DECR', KEYS[2])
  redis.call('DEL', KEYS[1])
  return 2
end
return 0
`;
