/**
 * What the service needs from each platform (GitHub App, Gerrit bot), so the server, queue and
 * metrics never import platform code beyond this shape, and platforms never know which queue runs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Finding } from "../analyzer/types.js";
import type { JobQueue, Platform, ReviewJob } from "./jobs.js";

/** Structured logger (pino-compatible subset). Never pass secrets to it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Counters the platforms report into; the service maps them onto Prometheus metrics. */
export interface ServiceHooks {
  eventReceived(platform: Platform, kind: string): void;
  reviewPosted(platform: Platform, findings: readonly Finding[]): void;
  apiError(platform: Platform, status: number | "network"): void;
  /** Seconds spent analyzing one change. */
  analysisSeconds(platform: Platform, seconds: number): void;
}

export interface PlatformDeps {
  queue: JobQueue;
  logger: Logger;
  hooks: ServiceHooks;
}

export interface PlatformAdapter {
  platform: Platform;
  /** Handles an HTTP request addressed to this platform; returns false when the path is not its own. */
  handleHttp?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Runs one queued review job. Throwing marks the job failed (retried when the error is transient). */
  runJob(job: ReviewJob): Promise<void>;
  /** Starts background event sources (Gerrit stream-events). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** An error worth retrying (HTTP 5xx/429, network failure); anything else goes to the dead-letter log. */
export class TransientError extends Error {
  /**
   * @param retryAfterMs the least wait before the next attempt (a `Retry-After` header, a secondary rate
   *   limit); the queue waits at least this long, and at most its maximum retry delay.
   */
  constructor(message: string, readonly cause?: unknown, readonly retryAfterMs?: number) {
    super(message);
    this.name = "TransientError";
  }
}

/** True for a TransientError, also one from another copy of this module (jest registries, bundles). */
export function isTransient(err: unknown): err is TransientError {
  return err instanceof TransientError || (err instanceof Error && err.name === "TransientError");
}

export const noopHooks: ServiceHooks = {
  eventReceived: () => {},
  reviewPosted: () => {},
  apiError: () => {},
  analysisSeconds: () => {},
};
