/**
 * The GitHub client surface the source and publisher use: a plain Octokit (`rest`, `graphql`,
 * `request`, `paginate`), so the GitHub App (Probot's installation client) and the GitHub Actions
 * mode (@octokit/rest with GITHUB_TOKEN) share the same code; only the authentication differs.
 */
import type { Octokit } from "@octokit/rest";
import { type ApiFailure, type Logger, type ServiceHooks, TransientError } from "../adapter.js";
import { describeFailure, httpFailure, networkFailure } from "../failure.js";

export type GithubOctokit = Pick<Octokit, "rest" | "graphql" | "request" | "paginate">;

/** The pull request a review is about. Contents are read from the base repository by SHA, forks too. */
export interface PullRequestRef {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
}

/** HTTP status of an Octokit error, "network" when the request never got an answer. */
export function errorStatus(error: unknown): number | "network" | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  // GitHub answered (HTTP 200) with GraphQL errors: an answer, not a lost request.
  if ((error as { name?: string }).name === "GraphqlResponseError") return undefined;
  const status = (error as { status?: unknown }).status;
  // @octokit/request reports a fetch that never got an answer as status 500 without a response.
  const e = error as { response?: unknown; cause?: unknown; name?: string };
  if (status === 500 && e.response === undefined && (e.cause !== undefined || e.name === "AbortError")) return "network";
  if (typeof status === "number" && status > 0) return status;
  if ((error as { name?: string }).name === "HttpError" || (error as { request?: unknown }).request) return "network";
  return undefined;
}

/** The failure for metrics and logs: `http:<status>`, or what the network said (`dns`, `network:ECONNREFUSED`). */
export function apiFailure(error: unknown): ApiFailure | undefined {
  const status = errorStatus(error);
  if (status === undefined) return undefined;
  return status === "network" ? networkFailure(error) : httpFailure(status);
}

/** 5xx, 429, a secondary rate limit (403 with retry-after) and network failures are worth retrying later. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  const graphqlErrors = (error as { name?: string; errors?: Array<{ type?: string }> }).errors;
  if ((error as { name?: string }).name === "GraphqlResponseError") return graphqlErrors?.some((e) => e.type === "RATE_LIMITED") === true;
  const status = errorStatus(error);
  if (status === "network") return true;
  if (status === undefined) return false;
  if (status >= 500 || status === 429) return true;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
  return status === 403 && (headers?.["retry-after"] !== undefined || headers?.["x-ratelimit-remaining"] === "0");
}

/**
 * Wraps transient errors so the queue retries the job; others pass through unchanged. The message names
 * the cause (`dns`, `tls`, `timeout`, `network:ECONNREFUSED`, `http:502`) and what the network said, so
 * the queue's first "job failed; will retry" line says why.
 */
export function classify(error: unknown, what: string): unknown {
  if (error instanceof TransientError || !isTransient(error)) return error;
  const failure = apiFailure(error);
  return new TransientError(`${what}: ${failure ? `${failure}: ` : ""}${describeFailure(error)}`, error);
}

interface ThrottledRequest {
  method: string;
  url: string;
  request: { retryCount: number };
}

/**
 * Options for @octokit/plugin-throttling: wait and retry up to `retries` times on both the primary
 * and the secondary rate limit (Probot's and Octokit's defaults only log the secondary one or give up).
 */
export function throttleOptions(log: Pick<Logger, "warn">, retries = 3) {
  const onLimit = (kind: string) => (retryAfter: number, options: ThrottledRequest) => {
    const retry = options.request.retryCount < retries;
    log.warn({ method: options.method, url: options.url, retryAfter, retry }, `GitHub ${kind} rate limit hit`);
    return retry;
  };
  return { onRateLimit: onLimit("primary"), onSecondaryRateLimit: onLimit("secondary") };
}

interface HookableOctokit {
  hook: { error(name: "request", fn: (error: unknown) => unknown): void };
}

/** An Octokit plugin that reports every failed request to the service's metrics, then rethrows. */
export function apiErrorReporting(hooks: Pick<ServiceHooks, "apiError">) {
  return (octokit: HookableOctokit) => {
    octokit.hook.error("request", (error: unknown) => {
      const failure = apiFailure(error);
      if (failure !== undefined) hooks.apiError("github", failure);
      throw error;
    });
  };
}
