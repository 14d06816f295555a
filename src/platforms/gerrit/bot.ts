/**
 * The Gerrit bot's reviewing half: events → jobs (deps.queue.submit), jobs → reviews. Event sources
 * (SSH stream, webhook) only hand lines and bodies to `acceptEvent`; everything they can lose is
 * recovered by `catchUp`, which asks REST for changes updated since a time.
 */
import { performance } from "node:perf_hooks";
import { ConfigError, defaultConfig, parseConfig } from "../../config/load.js";
import type { Logger, PlatformDeps, ReviewJob } from "../adapter.js";
import { reviewChange } from "../../review/review.js";
import { changeId, GerritHttpError, type GerritChange, type GerritClient } from "./client.js";
import { decideEvent, NO_REVIEW_KINDS, parseEventLine, type GerritEvent, type GerritJobPayload } from "./events.js";
import { GerritPublisher } from "./publisher.js";
import { projectMatcher, REVIEW_TAG, type GerritSettings } from "./settings.js";
import { GerritChangeSource } from "./source.js";

export type JobResult =
  | { status: "posted"; vote?: number; comments: number; alreadyThere: number; rejected: number }
  | { status: "skipped"; reason: string };

/** Gerrit's query timestamp format, UTC: `2006-01-02 15:04:05`. */
export function gerritTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

export class GerritBot {
  private readonly projectAllowed: (project: string) => boolean;
  /** Jobs of one change run one after another, so a recheck and a catch-up never post twice. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly log: Logger;

  constructor(
    readonly settings: GerritSettings,
    readonly client: GerritClient,
    private readonly deps: PlatformDeps,
  ) {
    this.projectAllowed = projectMatcher(settings.projects);
    this.log = deps.logger;
  }

  /** One event from any source; malformed input is logged and dropped. Returns what became of it. */
  async acceptEvent(
    input: string | GerritEvent,
    via: "ssh" | "webhook" | "catch-up",
  ): Promise<"queued" | "duplicate" | "stale" | "skipped" | "catch-up" | "invalid"> {
    let event: GerritEvent;
    try {
      event = typeof input === "string" ? parseEventLine(input) : input;
    } catch (error) {
      this.log.warn({ via, error: (error as Error).message }, "malformed Gerrit event ignored");
      return "invalid";
    }
    // Catch-up synthesizes events from a query: count them apart from what Gerrit sent.
    this.deps.hooks.eventReceived("gerrit", via === "catch-up" ? "catch-up" : event.type);
    const decision = decideEvent(event, this.settings, this.projectAllowed);
    if ("catchUp" in decision) return "catch-up";
    if ("skip" in decision) {
      this.log.debug({ via, type: event.type, reason: decision.skip }, "Gerrit event skipped");
      return "skipped";
    }
    const result = await this.deps.queue.submit(decision.job);
    const outcome = result.accepted ? "queued" : result.reason;
    this.log.info({ via, eventId: decision.job.eventId, outcome }, "Gerrit review job submitted");
    return outcome;
  }

  /**
   * After a gap in the event stream: every open change updated since `sinceSeconds` whose current
   * patch set has no review of ours yet becomes a job (runJob skips those already reviewed).
   */
  async catchUp(sinceSeconds: number): Promise<number> {
    const changes = await this.client.queryChanges(`status:open after:"${gerritTime(sinceSeconds)}"`, ["CURRENT_REVISION"]);
    let submitted = 0;
    for (const change of changes) {
      const current = change.current_revision ? change.revisions?.[change.current_revision] : undefined;
      if (!current || !this.projectAllowed(change.project)) continue;
      if (current.kind && NO_REVIEW_KINDS.has(current.kind) && current._number > 1) continue;
      const created = current.created ? Math.floor(Date.parse(current.created.replace(" ", "T") + "Z") / 1000) : sinceSeconds;
      const event: GerritEvent = {
        type: "patchset-created",
        eventCreatedOn: created,
        change: { project: change.project, branch: change.branch, id: change.change_id, number: change._number, status: change.status },
        patchSet: { number: current._number, revision: change.current_revision, kind: current.kind },
      };
      if ((await this.acceptEvent(event, "catch-up")) === "queued") submitted++;
    }
    this.log.info({ since: gerritTime(sinceSeconds), changes: changes.length, submitted }, "Gerrit catch-up done");
    return submitted;
  }

  runJob(job: ReviewJob): Promise<JobResult> {
    const lockKey = `${job.repository}~${job.change}`;
    const previous = this.locks.get(lockKey) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.review(job));
    const tail = run.catch(() => undefined);
    this.locks.set(lockKey, tail);
    void tail.then(() => {
      if (this.locks.get(lockKey) === tail) this.locks.delete(lockKey);
    });
    return run;
  }

  private async review(job: ReviewJob): Promise<JobResult> {
    const payload = job.payload as GerritJobPayload;
    const id = changeId(payload.project, payload.number);
    const log = this.log.child({ change: payload.number, patchSet: payload.patchSet, trigger: payload.trigger });
    const skip = (reason: string): JobResult => {
      log.info({ reason }, "Gerrit review skipped");
      return { status: "skipped", reason };
    };

    let change: GerritChange;
    try {
      change = await this.client.getChange(id);
    } catch (error) {
      if (error instanceof GerritHttpError && error.status === 404) return skip(`change ${payload.number} no longer exists (404)`);
      throw error;
    }
    if (change.status !== "NEW") return skip(`change is ${change.status}`);
    const current = change.current_revision ? change.revisions?.[change.current_revision] : undefined;
    if (!current) return skip("change has no current revision");
    const patchSet = current._number;
    if (!job.recheck && patchSet !== payload.patchSet) return skip(`patch set ${payload.patchSet} is no longer current (${patchSet} is)`);
    const reviewed = (change.messages ?? []).some((m) => m.tag === REVIEW_TAG && m._revision_number === patchSet);
    if (reviewed && !job.recheck) return skip(`patch set ${patchSet} already has a review from eventlet-review`);

    const source = new GerritChangeSource(this.client, id, patchSet, change.project, change.branch);
    if (change.work_in_progress || change.is_private) {
      // They wait unless the target branch's config says otherwise (an invalid config is reported below).
      const text = await source.readBaseConfig();
      let gerrit = defaultConfig().gerrit;
      try {
        if (text !== undefined) gerrit = parseConfig(text).gerrit;
      } catch {
        // reviewChange reports it
      }
      if (change.work_in_progress && !gerrit.review_work_in_progress) return skip("work in progress: waits until ready for review");
      if (change.is_private && !gerrit.review_private) return skip("private change: waits until it is made public");
    }
    const started = performance.now();
    let result;
    try {
      result = await reviewChange(source);
    } catch (error) {
      if (error instanceof GerritHttpError && error.status === 404) return skip(`change ${payload.number} disappeared during the review (404)`);
      if (error instanceof ConfigError) {
        await this.client.postReview(id, patchSet, {
          tag: REVIEW_TAG,
          message: `eventlet-review: the configuration on ${change.branch} is invalid, so patch set ${patchSet} was not reviewed.\n\n${error.message}`,
        });
        return skip(`invalid config: ${error.message}`);
      }
      throw error;
    }
    this.deps.hooks.analysisSeconds("gerrit", (performance.now() - started) / 1000);

    // Vote only on the current patch set: check again, a new one may have arrived meanwhile.
    const now = await this.client.getChange(id, ["CURRENT_REVISION"]).catch(() => change);
    const stillCurrent = now.current_revision === change.current_revision;
    try {
      const outcome = await new GerritPublisher(this.client, source).publish(result, { label: this.settings.label, vote: stillCurrent, logger: log });
      this.deps.hooks.reviewPosted("gerrit", result.findings);
      log.info({ findings: result.findings.length, vote: outcome.vote, comments: outcome.posted.length, alreadyThere: outcome.alreadyThere }, "Gerrit review posted");
      return { status: "posted", vote: outcome.vote, comments: outcome.posted.length, alreadyThere: outcome.alreadyThere, rejected: outcome.rejected.length };
    } catch (error) {
      if (error instanceof GerritHttpError && (error.status === 404 || error.status === 409)) {
        return skip(`Gerrit refused the review (${error.status}): ${error.body.trim().slice(0, 200)}`);
      }
      throw error;
    }
  }
}
