/**
 * Every request of one job goes through here (an Octokit `request` wrapper): content-creating ones
 * (POST, PATCH, PUT, DELETE and GraphQL mutations) spend the installation's write budget, all of them
 * count against a bound on concurrent requests, and GitHub's "wait" answers (403/429 with
 * `retry-after`, or a spent primary limit with `x-ratelimit-reset`) pause the installation's writes on
 * every instance and end the job as RateLimitedError, which the queue delays rather than fails. Other
 * failures are not retried here: the queue is the one retry layer.
 *
 * A review reserves the writes it will make before making the first one (`reserve`), so a short budget
 * delays the whole job before anything is written: no half-published review, no check run left running.
 */
import { RateLimitedError } from "../adapter.js";
import type { WriteBudget } from "./budget.js";
import { CONCURRENT_REQUESTS_PER_PROCESS, GITHUB_LIMITS } from "./limits.js";

/** At most this many requests of one installation in flight per process (GitHub allows 100 in all). */
export const MAX_CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_PROCESS;
/** A request without an answer after this long fails (as a timeout) and the queue runs the job again. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An unreserved write waits this long at most for the budget before its job is delayed instead. */
const MAX_WRITE_WAIT_MS = 15_000;

interface RequestOptions {
  method?: string;
  url?: string;
  query?: unknown;
  [key: string]: unknown;
}

interface WrappableOctokit {
  hook: { wrap(name: "request", fn: (request: (options: RequestOptions) => Promise<unknown>, options: RequestOptions) => Promise<unknown>): void };
}

/** Whether a request creates content in GitHub's sense (and so counts against the secondary limit). */
export function isWrite(options: { method?: string; url?: string; query?: unknown }): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const path = (options.url ?? "").replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");
  if (/\/app\/installations\/[^/]+\/access_tokens$/.test(path)) return false; // authentication
  if (/(^|\/)graphql$/.test(path)) return typeof options.query === "string" && /^\s*mutation\b/.test(options.query);
  return true;
}

/** How long GitHub asks us to wait, when its answer is a rate limit; undefined for other errors. */
export function rateLimitWait(error: unknown, now = Date.now()): number | undefined {
  const e = error as { status?: number; response?: { headers?: Record<string, string | undefined>; data?: unknown }; message?: string };
  if (e?.status !== 403 && e?.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return Math.max(1000, retryAfter * 1000);
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) ? Math.max(1000, reset * 1000 - now) : 60_000;
  }
  const message = `${e.message ?? ""} ${JSON.stringify(e.response?.data ?? "")}`;
  // GitHub's advice without a header: wait at least a minute.
  if (/secondary rate limit|abuse/i.test(message) || e.status === 429) return GITHUB_LIMITS.defaultWaitMs;
  return undefined;
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

const semaphores = new Map<number, Semaphore>();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The writes of one job: what it reserved, what it spent. */
export class JobWrites {
  /** Writes sent (successful or not). */
  sent = 0;
  private reserved = 0;

  constructor(
    private readonly budget: WriteBudget,
    readonly installation: number,
  ) {}

  /**
   * Takes `n` tokens at once before the first write, or throws RateLimitedError with the wait. More than
   * a minute's worth is taken as a minute's worth; the rest wait their turn one by one.
   */
  async reserve(n: number): Promise<void> {
    const want = Math.min(n, this.budget.limits.perMinute) - this.reserved;
    if (want <= 0) return;
    const got = await this.budget.take(this.installation, want);
    if (!got.ok) throw new RateLimitedError(`installation ${this.installation}: write budget spent (${want} writes wanted)`, got.waitMs);
    this.reserved += want;
  }

  /** Like reserve, but says false instead of throwing: for writes worth skipping when the budget is short. */
  async tryReserve(n: number): Promise<boolean> {
    try {
      await this.reserve(n);
      return true;
    } catch {
      return false;
    }
  }

  /** One write about to be sent: from the reservation, else from the budget (waiting a little). */
  async spend(): Promise<void> {
    this.sent++;
    if (this.reserved > 0) {
      this.reserved--;
      return;
    }
    const deadline = Date.now() + MAX_WRITE_WAIT_MS;
    for (;;) {
      const got = await this.budget.take(this.installation, 1);
      if (got.ok) return;
      if (Date.now() + got.waitMs > deadline) {
        this.sent--;
        throw new RateLimitedError(`installation ${this.installation}: write budget spent`, got.waitMs);
      }
      await sleep(got.waitMs);
    }
  }

  /**
   * Installs the budget, the concurrency bound, a time limit and the rate-limit handling on a job's
   * Octokit. Nothing is retried here (the queue is the one retry layer): a failure ends the job's attempt.
   */
  meter(octokit: WrappableOctokit): void {
    let semaphore = semaphores.get(this.installation);
    if (!semaphore) semaphores.set(this.installation, (semaphore = new Semaphore(MAX_CONCURRENT_REQUESTS)));
    const sem = semaphore;
    octokit.hook.wrap("request", async (request, options) => {
      if (isWrite(options)) await this.spend();
      await sem.acquire();
      try {
        // A connection that hangs would hold the job (and its lock) for minutes: give up, say why, retry later.
        const given = (options.request as { signal?: AbortSignal } | undefined)?.signal;
        return await request({ ...options, request: { ...(options.request as object), signal: given ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) } });
      } catch (error) {
        const wait = rateLimitWait(error);
        if (wait !== undefined) {
          await this.budget.pause(this.installation, Date.now() + wait).catch(() => undefined);
          throw new RateLimitedError(`GitHub rate limit on ${options.method} ${options.url}: wait ${Math.ceil(wait / 1000)} s`, wait, error);
        }
        throw error;
      } finally {
        sem.release();
      }
    });
  }
}
