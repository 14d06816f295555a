/**
 * Publishes a review result on a pull request: one check run `eventlet-review` with every finding as
 * an annotation (check-run.ts), and one review with an inline comment per new finding (review-post.ts).
 * The state lives on GitHub: each comment carries a hidden fingerprint marker, so after a push nothing is
 * posted twice, threads whose finding is gone get resolved (threads.ts), and a push with nothing new
 * posts no review. Where each comment goes and which threads count is review/plan.ts's, as on Gerrit.
 */
import type { Finding, Notice } from "../../model/finding.js";
import type { ProjectFiles } from "../../python/project-files.js";
import { GITHUB, NOT_INLINE, planComments, planThreads } from "../../review/plan.js";
import type { ReviewResult } from "../../review/review.js";
import type { Logger } from "../adapter.js";
import { CheckRun, checkRunWrites, CONCLUSIONS, type Conclusion } from "./check-run.js";
import { dismissReviews } from "./dismissals.js";
import { checkOutput, reviewBody, reviewComment } from "./markdown.js";
import { isTransient, type GithubOctokit, type PullRequestRef } from "./octokit.js";
import { ReviewPoster, type ReviewComment, type ReviewEvent } from "./review-post.js";
import { readThreads, resolveThread, type ReviewThread, type ThreadsState } from "./threads.js";

export { CHECK_NAME } from "./check-run.js";
export type { ReviewThread } from "./threads.js";

export interface PublishReport {
  checkRunId: number;
  conclusion: Conclusion;
  /** Inline comments posted in this review. */
  posted: number;
  /** Findings that already had an open thread of ours. */
  alreadyCommented: number;
  resolved: number;
  /** Findings listed only in the check run: over the cap, outside the diff, or refused by GitHub. */
  notInline: number;
  /** Our earlier REQUEST_CHANGES reviews dismissed because nothing fails any more. */
  dismissed: number;
  /** Dismissals GitHub refused (a protected branch may deny them), with why. */
  dismissFailed: string[];
  /** Our own leftover PENDING reviews deleted before posting (one would block every later review). */
  pendingDeleted: number;
}

export interface GithubPublisherOptions {
  /** The head revision's files, to fingerprint findings by the text of their line. */
  files: ProjectFiles;
  logger?: Logger;
  /** A check run created earlier for this head: it is completed instead of a new one created. */
  checkRunId?: number;
  /** Extra notices for the check run (e.g. a file list cut at GitHub's limit). */
  notices?: Notice[];
  /** False: the check run only, no review (the GitHub Action's `check` reporter). Default true. */
  inlineComments?: boolean;
  /** The first page of threads and our reviews, already read (the pull request snapshot). */
  threads?: ThreadsState & { next: string | null };
  /**
   * Called once before the first write with how many writes the publish will make: reserve them from
   * the write budget, or throw (rate limited, superseded) so that nothing at all is written.
   */
  beforeWrites?: (writes: number) => Promise<void>;
}

/** A finding with its fingerprint and, when a line can take it, its inline comment. */
interface Placed {
  finding: Finding;
  fingerprint: string;
  comment?: ReviewComment;
}

export class GithubPublisher {
  private readonly checkRun: CheckRun;
  private readonly poster: ReviewPoster;

  constructor(
    private readonly octokit: GithubOctokit,
    private readonly pr: PullRequestRef,
    private readonly options: GithubPublisherOptions,
  ) {
    this.checkRun = new CheckRun(octokit, pr, options.checkRunId);
    this.poster = new ReviewPoster(octokit, pr, options.logger);
  }

  get checkRunId(): number | undefined {
    return this.checkRun.id;
  }

  addNotices(notices: readonly Notice[]): void {
    this.options.notices = [...(this.options.notices ?? []), ...notices];
  }

  async publish(result: ReviewResult): Promise<PublishReport> {
    const planned = await planComments(result.findings, result.changed, this.options.files, GITHUB);
    const placed: Placed[] = planned.map((p) => ({ finding: p.finding, fingerprint: p.fingerprint, comment: reviewComment(p) }));
    const present = new Set(placed.map((p) => p.fingerprint));
    const { threads, pendingReviews, blockingReviews } = await readThreads(this.octokit, this.pr, this.options.threads);
    const plan = planThreads(placed, threads, present);

    const inline = this.options.inlineComments !== false;
    const cap = inline ? result.config.github.max_inline_comments : 0;
    // The cap bounds our open threads on the pull request, not each review: a push that brings nothing
    // new must not post the findings that did not fit last time; fixed ones make room for the rest.
    const open = threads.filter((t) => !t.resolved && present.has(t.fingerprint)).length;
    const room = Math.max(0, cap - open);
    const candidates = plan.toPost.filter((p): p is Placed & { comment: ReviewComment } => p.comment !== undefined);
    const toPost = candidates.slice(0, room);
    const notInline: Array<{ finding: Finding; why: string }> = [
      ...placed.filter((p) => !p.comment).map((p) => ({ finding: p.finding, why: NOT_INLINE.noLine })),
      ...candidates.slice(room).map((p) => ({ finding: p.finding, why: inline ? NOT_INLINE.overCap(cap) : NOT_INLINE.noReview })),
    ];

    // A thread this token may not resolve costs no write: the check run says so instead.
    const stale = plan.toResolve.filter((t) => t.viewerCanResolve);
    let unresolvable = plan.toResolve.length - stale.length;
    const blocking = result.config.github.request_changes && result.outcome !== "fail" ? blockingReviews : [];
    const pending = toPost.length > 0 ? pendingReviews : [];
    const writes = (toPost.length > 0 ? 1 + pending.length : 0) + stale.length + blocking.length + checkRunWrites(result.findings.length);
    await this.options.beforeWrites?.(writes);

    const pendingDeleted = await this.poster.deletePending(pending);
    const refused = await this.poster.post(toPost, this.reviewEvent(result), (accepted) =>
      reviewBody(
        result,
        accepted.map((p) => p.finding),
      ),
    );
    notInline.push(...refused.map((p) => ({ finding: p.finding, why: NOT_INLINE.refused("GitHub", "outside the diff") })));

    let resolved = 0;
    for (const thread of stale) {
      if (await this.resolve(thread)) resolved++;
      else unresolvable++;
    }

    const message = `eventlet-review: no finding at or above \`${result.config.fail_level}\` any more (${this.pr.headSha.slice(0, 7)}).`;
    const { dismissed, failed: dismissFailed } = await dismissReviews(this.octokit, this.pr, blocking, message, this.options.logger);

    const conclusion = CONCLUSIONS[result.outcome];
    const posted = toPost.length - refused.length;
    const stats = { posted, alreadyCommented: plan.alreadyThere.length, resolved, unresolvable, dismissed, dismissFailed };
    const checkRunId = await this.checkRun.complete(conclusion, checkOutput(result, this.pr.headSha, stats, notInline, this.options.notices ?? []), result.findings);
    return { checkRunId, conclusion, posted, alreadyCommented: plan.alreadyThere.length, resolved, notInline: notInline.length, dismissed, dismissFailed, pendingDeleted };
  }

  /** Completes the check run without a review: a broken config, or a review that could not finish. */
  async failCheckRun(conclusion: "failure" | "neutral", title: string, summary: string): Promise<void> {
    await this.options.beforeWrites?.(1);
    await this.checkRun.complete(conclusion, { title, summary }, []);
  }

  /** Review threads that start with one of our comments. */
  async ourThreads(): Promise<ReviewThread[]> {
    return (await readThreads(this.octokit, this.pr, this.options.threads)).threads;
  }

  private async resolve(thread: ReviewThread): Promise<boolean> {
    try {
      await resolveThread(this.octokit, thread.id);
      return true;
    } catch (error) {
      if (isTransient(error)) throw error;
      this.options.logger?.warn({ err: error, thread: thread.id }, "could not resolve a review thread");
      return false;
    }
  }

  private reviewEvent(result: ReviewResult): ReviewEvent {
    return result.config.github.request_changes && result.outcome === "fail" ? "REQUEST_CHANGES" : "COMMENT";
  }
}
