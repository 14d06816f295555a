/** Picks the queue: BullMQ on Redis when REDIS_URL is set, else the in-process one. */
import type { Logger } from "../../platforms/adapter.js";
import type { Settings } from "../settings.js";
import type { QueueObserver, QueueOptions, ServiceQueue } from "./common.js";
import { MemoryQueue } from "./memory.js";
import { RedisQueue } from "./redis.js";

export type { DeadLetter, JobOutcome, QueueDepth, QueueObserver, ServiceQueue } from "./common.js";
export { MemoryQueue } from "./memory.js";
export { RedisQueue } from "./redis.js";

export function queueOptions(settings: Settings, logger: Logger, observer?: QueueObserver): QueueOptions {
  return {
    concurrency: settings.QUEUE_CONCURRENCY,
    attempts: settings.QUEUE_RETRY_ATTEMPTS,
    retryDelayMs: settings.QUEUE_RETRY_DELAY_MS,
    retryMaxDelayMs: settings.QUEUE_RETRY_MAX_DELAY_MS,
    dedupeTtlSeconds: settings.QUEUE_DEDUPE_TTL_SECONDS,
    shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
    logger,
    observer,
  };
}

export function createQueue(settings: Settings, logger: Logger, observer?: QueueObserver): ServiceQueue {
  const options = queueOptions(settings, logger, observer);
  if (settings.REDIS_URL) {
    return new RedisQueue({ ...options, url: settings.REDIS_URL, prefix: settings.QUEUE_PREFIX, lockMs: settings.QUEUE_LOCK_MS });
  }
  return new MemoryQueue(options);
}
