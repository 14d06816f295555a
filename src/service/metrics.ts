/**
 * Prometheus metrics (prom-client, one registry per service): what the platforms report through
 * ServiceHooks, what the queue reports through its observer, and the queue depth read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Finding } from "../model/finding.js";
import type { ApiFailure, Platform, ReviewJob, ServiceHooks } from "../platforms/adapter.js";
import type { JobOutcome, QueueDepth, QueueObserver } from "./queue/common.js";

const PREFIX = "eventlet_review_";

export class Metrics {
  readonly registry = new Registry();
  private depthSource?: () => Promise<QueueDepth>;

  readonly events = new Counter({
    name: `${PREFIX}events_received_total`,
    help: "Events received from the platforms, by kind (pull_request.synchronize, patchset-created, ...)",
    labelNames: ["platform", "kind"] as const,
    registers: [this.registry],
  });
  readonly submissions = new Counter({
    name: `${PREFIX}jobs_submitted_total`,
    help: "Review jobs offered to the queue: accepted, duplicate (a redelivery) or stale (an older revision)",
    labelNames: ["platform", "result"] as const,
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: `${PREFIX}jobs_total`,
    help: "Review jobs by outcome: completed, superseded, retried, delayed (rate limited), dead_letter",
    labelNames: ["platform", "outcome"] as const,
    registers: [this.registry],
  });
  readonly reviews = new Counter({
    name: `${PREFIX}reviews_posted_total`,
    help: "Reviews posted",
    labelNames: ["platform"] as const,
    registers: [this.registry],
  });
  readonly findings = new Counter({
    name: `${PREFIX}findings_total`,
    help: "Findings in posted reviews, by rule",
    labelNames: ["platform", "rule", "severity"] as const,
    registers: [this.registry],
  });
  readonly apiErrors = new Counter({
    name: `${PREFIX}api_errors_total`,
    help: "Failed platform API calls, by failure: http:<status> when the platform answered, else dns, tls, timeout or network:<code>",
    labelNames: ["platform", "error"] as const,
    registers: [this.registry],
  });
  readonly analysis = new Histogram({
    name: `${PREFIX}analysis_duration_seconds`,
    help: "Time spent analyzing one change",
    labelNames: ["platform"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly endToEnd = new Histogram({
    name: `${PREFIX}event_to_review_seconds`,
    help: "From the event's arrival to the end of its job (completed or dead-lettered), queueing and retries included",
    labelNames: ["platform", "outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });
  readonly http = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: "HTTP requests answered, by handler and status",
    labelNames: ["handler", "status"] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const source = () => this.depthSource;
    new Gauge({
      name: `${PREFIX}queue_jobs`,
      help: "Review jobs in the queue by state: waiting, delayed (retry backoff, change busy), active",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        const read = source();
        if (!read) return;
        try {
          const depth = await read();
          for (const state of ["waiting", "delayed", "active"] as const) this.set({ state }, depth[state]);
        } catch {
          // Queue unreachable: leave the last values; /readyz says what is wrong.
        }
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** Where the queue depth comes from, read at each scrape. */
  watchQueue(depth: () => Promise<QueueDepth>): void {
    this.depthSource = depth;
  }

  readonly hooks: ServiceHooks = {
    eventReceived: (platform: Platform, kind: string) => this.events.inc({ platform, kind }),
    reviewPosted: (platform: Platform, findings: readonly Finding[]) => {
      this.reviews.inc({ platform });
      for (const finding of findings) this.findings.inc({ platform, rule: finding.rule, severity: finding.severity });
    },
    apiError: (platform: Platform, failure: ApiFailure) => this.apiErrors.inc({ platform, error: failure }),
    analysisSeconds: (platform: Platform, seconds: number) => this.analysis.observe({ platform }, seconds),
  };

  readonly observer: QueueObserver = {
    submitted: (job: ReviewJob, result) => this.submissions.inc({ platform: job.platform, result }),
    finished: (job: ReviewJob, outcome: JobOutcome, seconds: number) => {
      this.jobs.inc({ platform: job.platform, outcome });
      if (outcome === "completed" || outcome === "dead_letter") this.endToEnd.observe({ platform: job.platform, outcome }, seconds);
    },
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
