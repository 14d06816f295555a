/** Test doubles for the service side: an in-memory JobQueue and a Logger that records every line. */
import type { ApiFailure, JobHandler, JobQueue, Logger, Platform, ReviewJob, ServiceHooks, SubmitResult } from "../../../src/platforms/adapter.js";

/** Dedupes on eventId and runs each job at once through the handler; `idle()` waits for all of them. */
export class TestQueue implements JobQueue {
  readonly submitted: ReviewJob[] = [];
  readonly failures: unknown[] = [];
  private readonly seen = new Set<string>();
  private readonly handlers = new Map<Platform, JobHandler>();
  private running = new Set<Promise<void>>();

  async submit(job: ReviewJob): Promise<SubmitResult> {
    if (this.seen.has(job.eventId)) return { accepted: false, reason: "duplicate" };
    this.seen.add(job.eventId);
    const copy = JSON.parse(JSON.stringify(job)) as ReviewJob; // jobs cross Redis as JSON
    this.submitted.push(copy);
    const handler = this.handlers.get(job.platform);
    if (handler) {
      const run: Promise<void> = handler(copy)
        .catch((error: unknown) => {
          this.failures.push(error);
        })
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }
    return { accepted: true };
  }

  handle(platform: Platform, handler: JobHandler): void {
    this.handlers.set(platform, handler);
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  async close(): Promise<void> {
    await this.idle();
  }
}

export interface LogLine {
  level: string;
  obj: unknown;
  msg?: string;
}

export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  private add(level: string, obj: object | string, msg?: string) {
    this.lines.push({ level, obj: typeof obj === "string" ? obj : { ...this.bindings, ...obj }, msg });
  }
  debug(obj: object | string, msg?: string) {
    this.add("debug", obj, msg);
  }
  info(obj: object | string, msg?: string) {
    this.add("info", obj, msg);
  }
  warn(obj: object | string, msg?: string) {
    this.add("warn", obj, msg);
  }
  error(obj: object | string, msg?: string) {
    this.add("error", obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }
  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join("\n");
  }
}

export function recordingHooks() {
  const calls = { events: [] as string[], reviews: 0, apiErrors: [] as ApiFailure[], analyses: 0 };
  const hooks: ServiceHooks = {
    eventReceived: (_p, kind) => void calls.events.push(kind),
    reviewPosted: () => void calls.reviews++,
    apiError: (_p, status) => void calls.apiErrors.push(status),
    analysisSeconds: () => void calls.analyses++,
  };
  return { hooks, calls };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
