/**
 * How often a recheck may run. Rechecks cost a review (reads, the analysis, a write) and anyone who can
 * comment may ask, so both platforms limit them per change: one per asker in `perAskerMs`, and at most
 * `perChange` per change in `perChangeMs` whoever asks. Over the limit the request is ignored (and
 * logged): the next allowed recheck reviews the same revision anyway. In memory for one instance, or in
 * Redis so that every instance sharing REDIS_URL and QUEUE_PREFIX (webhooks behind a load balancer)
 * counts the same rechecks; a killed instance holds nothing past the windows.
 */
import { Redis } from "ioredis";

export interface RecheckLimits {
  /** One recheck per asker and change in this window (ms). */
  perAskerMs: number;
  /** At most `perChange` rechecks per change in `perChangeMs`, from any askers. */
  perChange: number;
  perChangeMs: number;
}

/** One per change in the window, whoever asks (GitHub's rechecks and its refusal replies). */
export function onePerChange(ms: number): RecheckLimits {
  return { perAskerMs: ms, perChange: 1, perChangeMs: ms };
}

export interface RecheckLimiter {
  /** True (and counted) when `asker` may recheck `change` now; else why not. */
  allow(change: string, asker: string): Promise<true | string>;
  close(): Promise<void>;
}

/** Changes remembered at most (oldest forgotten first): memory stays bounded under a flood. */
const KEPT = 10_000;

function minutes(ms: number): string {
  return ms === 60_000 ? "a minute" : ms % 60_000 === 0 ? `in ${ms / 60_000} minutes` : `in ${ms / 1000} s`;
}

function refusal(limits: RecheckLimits, verdict: "asker" | "change"): string {
  return verdict === "asker"
    ? `one recheck ${minutes(limits.perAskerMs)} per account and change`
    : `at most ${limits.perChange} recheck${limits.perChange === 1 ? "" : "s"} per change ${minutes(limits.perChangeMs).replace(/^a /, "in a ")}`;
}

export class MemoryRecheckLimiter implements RecheckLimiter {
  private readonly byChange = new Map<string, { times: number[]; askers: Map<string, number> }>();

  constructor(
    readonly limits: RecheckLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async allow(change: string, asker: string): Promise<true | string> {
    const t = this.now();
    const entry = this.byChange.get(change) ?? { times: [], askers: new Map<string, number>() };
    entry.times = entry.times.filter((at) => t - at < this.limits.perChangeMs);
    const last = entry.askers.get(asker);
    if (last !== undefined && t - last < this.limits.perAskerMs) return refusal(this.limits, "asker");
    if (entry.times.length >= this.limits.perChange) return refusal(this.limits, "change");
    entry.times.push(t);
    entry.askers.set(asker, t);
    for (const [who, at] of entry.askers) if (t - at >= this.limits.perAskerMs) entry.askers.delete(who);
    this.byChange.delete(change);
    this.byChange.set(change, entry);
    if (this.byChange.size > KEPT) this.byChange.delete(this.byChange.keys().next().value!);
    return true;
  }

  async close(): Promise<void> {}
}

export class RedisRecheckLimiter implements RecheckLimiter {
  private readonly client: Redis;

  constructor(
    url: string,
    /** Keys are `<keyPrefix>:asker:<change>:<asker>` and `<keyPrefix>:change:<change>`, e.g. `<QUEUE_PREFIX>:gerrit:recheck`. */
    private readonly keyPrefix: string,
    readonly limits: RecheckLimits,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 3, connectionName: `eventlet-review-${keyPrefix.split(":").slice(1).join("-")}`, lazyConnect: true });
    this.client.on("error", () => undefined); // the queue's connection reports Redis trouble
  }

  async allow(change: string, asker: string): Promise<true | string> {
    const l = this.limits;
    // The per-change count is a fixed window of perChangeMs from its first recheck. A Redis that does not
    // answer lets the recheck through: the queue on the same Redis decides whether anything runs.
    const verdict = (await this.client
      .eval(ALLOW, 2, `${this.keyPrefix}:asker:${change}:${asker}`, `${this.keyPrefix}:change:${change}`, String(l.perAskerMs), String(l.perChangeMs), String(l.perChange))
      .catch(() => 0)) as number;
    return verdict === 0 ? true : refusal(l, verdict === 1 ? "asker" : "change");
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** 0: allowed (and counted); 1: this asker asked within perAskerMs; 2: the change had perChange already. */
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
