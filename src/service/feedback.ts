/**
 * The store as the platforms see it (the Ledger of platforms/adapter.ts), with the feedback metrics:
 * `eventlet_review_feedback_total{rule,verdict}` counts reports as they are first recorded, and
 * `eventlet_review_not_useful_ratio{rule}` is read from the store at each scrape (30 days), so every
 * instance on one PostgreSQL shows the same ratio. A store failure is logged and never fails a review.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { FeedbackReport, Ledger, Logger, Platform, PublishedReview } from "../platforms/adapter.js";
import type { Store } from "./store/store.js";

export const RATIO_WINDOW_DAYS = 30;

export class FeedbackLedger implements Ledger {
  private readonly counter: Counter<"rule" | "verdict">;

  constructor(
    readonly store: Store,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.counter = new Counter({
      name: "eventlet_review_feedback_total",
      help: "Feedback on findings recorded (once per person, finding and verdict), by rule and verdict",
      labelNames: ["rule", "verdict"] as const,
      registers: [registry],
    });
    const read = () => this.store.ruleStats(RATIO_WINDOW_DAYS);
    const log = this.logger;
    new Gauge({
      name: "eventlet_review_not_useful_ratio",
      help: `Per rule, the share of its findings of the last ${RATIO_WINDOW_DAYS} days that someone called not useful`,
      labelNames: ["rule"] as const,
      registers: [registry],
      async collect() {
        try {
          this.reset();
          for (const s of await read()) this.set({ rule: s.rule }, s.ratio);
        } catch (err) {
          log.warn({ err }, "could not read the feedback store for /metrics");
        }
      },
    });
  }

  async reviewPublished(review: PublishedReview): Promise<void> {
    try {
      await this.store.recordReview(review);
    } catch (err) {
      this.logger.warn({ err, platform: review.platform, repository: review.repository, change: review.change }, "could not record the review in the store");
    }
  }

  async feedback(report: FeedbackReport): Promise<boolean> {
    try {
      const added = await this.store.recordFeedback(report);
      if (added) {
        this.counter.inc({ rule: report.rule, verdict: report.verdict });
        this.logger.info(
          { platform: report.platform, repository: report.repository, change: report.change, rule: report.rule, verdict: report.verdict, gesture: report.gesture, who: report.who },
          "feedback recorded",
        );
      }
      return added;
    } catch (err) {
      this.logger.warn({ err, platform: report.platform, rule: report.rule }, "could not record feedback in the store");
      return false;
    }
  }

  async findingStands(platform: Platform, repository: string, change: string, fingerprint: string): Promise<boolean> {
    try {
      return await this.store.findingStands(platform, repository, change, fingerprint);
    } catch (err) {
      this.logger.warn({ err }, "could not read the store; a resolved finding is taken as standing");
      return true;
    }
  }

  async recentChanges(platform: Platform, days: number) {
    try {
      return await this.store.recentChanges(platform, days);
    } catch (err) {
      this.logger.warn({ err }, "could not read recent changes from the store");
      return [];
    }
  }
}
