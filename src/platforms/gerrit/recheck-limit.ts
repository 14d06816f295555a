/**
 * Rechecks cost a review (REST reads, the analysis, a POST) and anyone who can comment may ask for one,
 * so they are rate-limited per change: one per account a minute, and a few per change in ten minutes
 * whoever asks. Over the limit the comment is ignored (logged): the next allowed recheck reviews the
 * same revision anyway. Every instance reading the same event stream takes the same decisions.
 */
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

export class GerritRecheckLimiter {
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
