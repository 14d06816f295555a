/**
 * The Gerrit bot's reviewing half: events → jobs (deps.queue.submit), jobs → reviews. Event sources
 * (SSH stream, webhook) only hand lines and bodies to `acceptEvent`; everything they can lose is
 * recovered by `catchUp`, which asks REST for changes updated since a time (the event cursor) and
 * replays what it finds: unreviewed patch sets and unanswered rechecks (catch-up.ts).
 */
import { performance } from "node:perf_hooks";
import { ConfigError, defaultConfig } from "../../config/load.js";
import { changeKey, type Logger, type PlatformDeps, type ReviewJob } from "../adapter.js";
import { mdCode, mdText } from "../../review/markdown.js";
import { findingPrints } from "../../review/plan.js";
import { readChangeConfig, reviewChange } from "../../review/review.js";
import { catchUpEvents, gerritEpoch } from "./catch-up.js";
import { changeId, GerritHttpError, type GerritAccount, type GerritChange, type GerritClient, type GerritMessage } from "./client.js";
import type { EventCursor } from "./cursor.js";
import { decideEvent, gerritJobPayload, NO_REVIEW_KINDS, parseEventLine, type EventAccount, type GerritEvent, type GerritJobPayload } from "./events.js";
import { recordChangeFeedback } from "./feedback.js";
import { GerritPublisher, postOnce } from "./publisher.js";
import { NOTE_TAG, projectMatcher, RECHECK_WORD, REVIEW_TAG, type GerritSettings } from "./settings.js";
import { GerritChangeSource } from "./source.js";
import { MemoryRecheckLimiter, type RecheckLimiter, type RecheckLimits } from "../recheck-limit.js";

/** Gerrit's recheck limits: one per account and change a minute, five per change in ten minutes. */
export const DEFAULT_RECHECK_LIMITS: RecheckLimits = { perAskerMs: 60_000, perChange: 5, perChangeMs: 600_000 };

export type JobResult =
  | { status: "posted"; vote?: number; comments: number; alreadyThere: number; rejected: number }
  | { status: "revoted"; vote: number }
  | { status: "skipped"; reason: string };

export interface GerritBotOptions {
  /** Wait before re-posting a review Gerrit did not apply (ms; default 1000). */
  retryDelayMs?: number;
  /** How often rechecks may run (default DEFAULT_RECHECK_LIMITS), when no limiter is given. */
  recheckLimits?: RecheckLimits;
  /** Where the limits are kept (default: this process's memory; index.ts uses Redis with REDIS_URL). */
  recheckLimiter?: RecheckLimiter;
}

const signed = (v: number) => `${v > 0 ? "+" : ""}${v}`;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Our latest vote on `label` in our review messages ("Patch Set 3: Verified-1"), on patch sets up to `upTo`. */
export function lastVote(messages: readonly GerritMessage[], self: number, label: string, upTo: number): { value: number; patchSet: number } | undefined {
  const re = new RegExp(`^Patch Set (\\d+):.*\\s${escapeRegExp(label)}([+-]\\d+)`);
  for (const m of [...messages].reverse()) {
    if (m.tag !== REVIEW_TAG || m.author?._account_id !== self || (m._revision_number ?? 0) > upTo) continue;
    const match = re.exec(m.message.split("\n", 1)[0]);
    if (match) return { value: Number(match[2]), patchSet: Number(match[1]) };
  }
  return undefined;
}

const sameAccount = (a: GerritAccount | undefined, b: EventAccount) =>
  a !== undefined && ((b.username !== undefined && a.username === b.username) || (b.email !== undefined && a.email === b.email));

/** The change owner, and accounts that may vote on some label of the change (DETAILED_LABELS), may ask for a recheck. */
export function mayAskForRecheck(change: GerritChange, requester: EventAccount): boolean {
  if (sameAccount(change.owner, requester)) return true;
  return Object.values(change.labels ?? {}).some((l) => (l.all ?? []).some((a) => a.permitted_voting_range !== undefined && sameAccount(a, requester)));
}

/** Gerrit's query timestamp format, UTC: `2006-01-02 15:04:05`. */
export function gerritTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

export class GerritBot {
  private readonly projectAllowed: (project: string) => boolean;
  /** Jobs of one change run one after another, so a recheck and a catch-up never post twice. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  private readonly rechecks: RecheckLimiter;

  constructor(
    readonly settings: GerritSettings,
    readonly client: GerritClient,
    private readonly deps: PlatformDeps,
    readonly cursor?: EventCursor,
    private readonly options: GerritBotOptions = {},
  ) {
    this.projectAllowed = projectMatcher(settings.projects);
    this.log = deps.logger;
    this.rechecks = options.recheckLimiter ?? new MemoryRecheckLimiter(options.recheckLimits ?? DEFAULT_RECHECK_LIMITS);
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
    if (event.type === "comment-added" && via !== "catch-up") await this.feedback(event);
    const decision = decideEvent(event, this.settings, this.projectAllowed);
    if ("catchUp" in decision) return "catch-up";
    const created = typeof event.eventCreatedOn === "number" ? event.eventCreatedOn : undefined;
    if ("skip" in decision) {
      this.log.debug({ via, type: event.type, reason: decision.skip }, "Gerrit event skipped");
      if (created !== undefined && via !== "catch-up") this.cursor?.handled(created);
      return "skipped";
    }
    // A catch-up replays at most one recheck per change, and only one no review of ours answers.
    if (decision.job.recheck && via !== "catch-up") {
      const who = (decision.job.payload as GerritJobPayload).requester;
      const allowed = await this.rechecks.allow(changeKey(decision.job), who?.username ?? who?.email ?? who?.name ?? "unknown");
      if (allowed !== true) {
        this.log.info({ via, change: decision.job.change, requester: who?.username, reason: allowed }, "Gerrit recheck ignored: rate limited");
        if (created !== undefined) this.cursor?.handled(created);
        return "skipped";
      }
    }
    const result = await this.deps.queue.submit(decision.job);
    const outcome = result.accepted ? "queued" : result.reason;
    this.log.info({ via, eventId: decision.job.eventId, outcome }, "Gerrit review job submitted");
    if (created !== undefined) this.cursor?.handled(created, result.accepted ? changeKey(decision.job) : undefined);
    return outcome;
  }

  /** A person commented: what they said on our threads goes to the store (feedback.ts). Never throws. */
  private async feedback(event: GerritEvent): Promise<void> {
    const ledger = this.deps.ledger;
    const project = event.change?.project;
    const number = event.change?.number;
    if (!ledger || !project || typeof number !== "number" || !this.projectAllowed(project)) return;
    try {
      const self = await this.client.selfAccount();
      if (event.author && sameAccount(self, event.author)) return;
      const added = await recordChangeFeedback(ledger, await this.client.changeComments(changeId(project, number)), self._account_id, { project, number });
      if (added) this.log.info({ change: number, added }, "Gerrit feedback recorded");
    } catch (error) {
      this.log.warn({ change: number, error: (error as Error).message }, "could not read the change's comments for feedback");
    }
  }

  /**
   * After a gap in the event stream: every open change updated since `sinceSeconds` whose current
   * patch set has no review of ours yet becomes a job (runJob skips those already reviewed).
   */
  async catchUp(sinceSeconds: number): Promise<number> {
    const self = await this.client.selfAccount();
    // MESSAGES: our reviews and the rechecks people asked for; DETAILED_ACCOUNTS: who asked.
    const changes = await this.client.queryChanges(`status:open after:"${gerritTime(sinceSeconds)}"`, ["CURRENT_REVISION", "MESSAGES", "DETAILED_ACCOUNTS"]);
    let submitted = 0;
    for (const change of changes) {
      if (!this.projectAllowed(change.project)) continue;
      for (const event of catchUpEvents(change, { since: sinceSeconds, self: self._account_id, recheck: this.settings.recheck })) {
        if ((await this.acceptEvent(event, "catch-up")) === "queued") submitted++;
      }
    }
    this.log.info({ since: gerritTime(sinceSeconds), changes: changes.length, submitted }, "Gerrit catch-up done");
    return submitted;
  }

  runJob(job: ReviewJob): Promise<JobResult> {
    const lockKey = `${job.repository}~${job.change}`;
    const previous = this.locks.get(lockKey) ?? Promise.resolve();
    const created = Number(job.eventId.split(":").at(-1));
    const run = previous
      .catch(() => undefined)
      .then(() => this.review(job))
      .then((result) => {
        // Done (posted or nothing to do): the cursor need no longer stay behind this event.
        if (Number.isFinite(created)) this.cursor?.finished(changeKey(job), created);
        return result;
      });
    const tail = run.catch(() => undefined);
    this.locks.set(lockKey, tail);
    void tail.then(() => {
      if (this.locks.get(lockKey) === tail) this.locks.delete(lockKey);
    });
    return run;
  }

  private async review(job: ReviewJob): Promise<JobResult> {
    const payload = gerritJobPayload(job);
    const id = changeId(payload.project, payload.number);
    const log = this.log.child({ change: payload.number, patchSet: payload.patchSet, trigger: payload.trigger });
    const skip = (reason: string): JobResult => {
      log.info({ reason }, "Gerrit review skipped");
      return { status: "skipped", reason };
    };

    let change: GerritChange;
    try {
      change = await this.client.getChange(id, ["CURRENT_REVISION", "MESSAGES", "DETAILED_LABELS", "DETAILED_ACCOUNTS"]);
    } catch (error) {
      if (error instanceof GerritHttpError && error.status === 404) return skip(`change ${payload.number} no longer exists (404)`);
      throw error;
    }
    if (change.status !== "NEW") return skip(`change is ${change.status}`);
    const current = change.current_revision ? change.revisions?.[change.current_revision] : undefined;
    if (!current) return skip("change has no current revision");
    const patchSet = current._number;
    if (!job.recheck && patchSet !== payload.patchSet) return skip(`patch set ${payload.patchSet} is no longer current (${patchSet} is)`);
    const messages = change.messages ?? [];
    const self = await this.client.selfAccount();
    // Ours only when our account wrote it: anyone may post a review with our tag.
    const reviewed = messages.some((m) => m.tag === REVIEW_TAG && m.author?._account_id === self._account_id && m._revision_number === patchSet);
    if (reviewed && !job.recheck) return skip(`patch set ${patchSet} already has a review from eventlet-review`);
    const seenMessageIds = new Set(messages.map((m) => m.id));
    const label = this.settings.label;

    if (job.recheck) {
      const at = payload.requestedAt;
      const answeredBy = (tag: string) => at !== undefined && messages.some((m) => m.tag === tag && m.author?._account_id === self._account_id && gerritEpoch(m.date) >= at);
      // A recheck seen twice (live and by a catch-up, or redelivered) runs once.
      if (answeredBy(REVIEW_TAG)) return skip("the recheck was answered already");
      if (payload.requester && !mayAskForRecheck(change, payload.requester)) {
        if (answeredBy(NOTE_TAG)) return skip("the refused recheck was answered already");
        const who = payload.requester.name ?? payload.requester.username ?? "this account";
        await postOnce(
          this.client,
          id,
          patchSet,
          {
            message: `eventlet-review: ${mdText(who)} may not vote on this change, so the recheck was not run. The owner or a reviewer who may vote can comment \`${RECHECK_WORD}\`.`,
            tag: NOTE_TAG,
            notify: this.settings.notifyNothingNew,
          },
          seenMessageIds,
          log,
          this.options.retryDelayMs,
        );
        return skip(`recheck by ${who}, who may not vote on the change`);
      }
    }

    // Same code as the patch set before: no comments. Vote again only when the label did not copy ours.
    let comments = true;
    if (!job.recheck && current.kind && NO_REVIEW_KINDS.has(current.kind)) {
      const ours = change.labels?.[label]?.all?.find((a) => a._account_id === self._account_id)?.value;
      if (ours) return skip(`${current.kind}: the ${label}${signed(ours)} was copied to patch set ${patchSet}`);
      const previous = lastVote(messages, self._account_id, label, patchSet - 1);
      if (previous) {
        const stillCurrent = async () => (await this.client.getChange(id, ["CURRENT_REVISION"])).current_revision === change.current_revision;
        if (!(await stillCurrent())) return skip(`patch set ${patchSet} is no longer current`);
        await postOnce(
          this.client,
          id,
          patchSet,
          {
            message: `eventlet-review: patch set ${patchSet} is a ${current.kind} of patch set ${previous.patchSet}, and the ${label} label did not copy the vote: ${label}${signed(previous.value)} again. Comment \`${RECHECK_WORD}\` to review again.`,
            tag: REVIEW_TAG,
            labels: { [label]: previous.value },
            notify: this.settings.notifyNothingNew,
          },
          seenMessageIds,
          log,
          this.options.retryDelayMs,
        );
        log.info({ kind: current.kind, vote: previous.value }, "Gerrit vote cast again after a rebase");
        return { status: "revoted", vote: previous.value };
      }
      comments = false; // we never voted on this change: review it, still without comments
    }

    const source = new GerritChangeSource(this.client, id, patchSet, change.project, change.branch);
    // Read and parsed once, for the checks below and the review.
    const config = readChangeConfig(source);
    config.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    if (change.work_in_progress || change.is_private) {
      // They wait unless the target branch's config says otherwise (an invalid config is reported below).
      let gerrit = defaultConfig().gerrit;
      try {
        gerrit = (await config).gerrit;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
      }
      if (change.work_in_progress && !gerrit.review_work_in_progress) return skip("work in progress: waits until ready for review");
      if (change.is_private && !gerrit.review_private) return skip("private change: waits until it is made public");
    }
    const started = performance.now();
    let result;
    try {
      result = await reviewChange(source, { config: await config });
    } catch (error) {
      if (error instanceof GerritHttpError && error.status === 404) return skip(`change ${payload.number} disappeared during the review (404)`);
      if (error instanceof ConfigError) {
        await this.client.postReview(id, patchSet, {
          tag: REVIEW_TAG,
          message: `eventlet-review: the configuration on ${mdCode(change.branch)} is invalid, so patch set ${patchSet} was not reviewed.\n\n${mdText(error.message)}`,
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
      const outcome = await new GerritPublisher(this.client, source).publish(result, {
        label,
        vote: stillCurrent,
        logger: log,
        comments,
        seenMessageIds,
        previousVote: lastVote(messages, self._account_id, label, Number.MAX_SAFE_INTEGER)?.value,
        notify: this.settings.notify,
        notifyNothingNew: this.settings.notifyNothingNew,
        retryDelayMs: this.options.retryDelayMs,
      });
      this.deps.hooks.reviewPosted("gerrit", result.findings);
      await this.deps.ledger?.reviewPublished({
        platform: "gerrit",
        repository: change.project,
        change: String(change._number),
        revision: String(patchSet),
        url: `${this.settings.url.replace(/\/+$/, "")}/c/${change.project}/+/${change._number}`,
        findings: await findingPrints(result.findings, source).catch(() => []),
        posted: outcome.posted.length,
        resolved: outcome.resolved,
        durationMs: performance.now() - started,
      });
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
