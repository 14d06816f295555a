/**
 * GitHub's documented limits for one installation, in one place: the write budget (budget.ts), the
 * bound on requests in flight (writes.ts), the load test's fake GitHub (scripts/loadtest-fake-github.ts)
 * and the README's throughput figures all take them from here.
 *
 * Source: GitHub's "Rate limits for the REST API", section "About secondary rate limits"
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits):
 * no more than 100 concurrent requests, no more than 80 content-generating requests a minute and 500 an
 * hour; past a limit GitHub answers 403 or 429 with `retry-after` (or `x-ratelimit-reset`), and without
 * either one should wait at least a minute. The same page's primary limit gives an installation at least
 * 5,000 requests an hour.
 */
export const GITHUB_LIMITS = {
  /** Content-generating requests (POST, PATCH, PUT, DELETE, GraphQL mutations) in any minute. */
  writesPerMinute: 80,
  /** The same, in any hour. */
  writesPerHour: 500,
  /** Requests in flight at once, REST and GraphQL together. */
  concurrentRequests: 100,
  /** Requests an hour (the primary limit, at its lowest). */
  requestsPerHour: 5000,
  /** How long to wait after a secondary limit that names no time. */
  defaultWaitMs: 60_000,
} as const;

/**
 * Requests in flight per installation in one process: a tenth of GitHub's 100, so ten instances (or
 * many jobs of one installation) stay under it together.
 */
export const CONCURRENT_REQUESTS_PER_PROCESS = GITHUB_LIMITS.concurrentRequests / 10;
