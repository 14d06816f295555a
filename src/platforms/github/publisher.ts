/**
 * Publishes a review result on a pull request: one check run `eventlet-review` with every finding as
 * an annotation, and one review with an inline comment per new finding. The state lives on GitHub: each
 * comment carries a hidden fingerprint marker, so after a push nothing is posted twice, threads whose
 * finding is gone get resolved, and a push with nothing new posts no review.
 */
import type { Finding, Notice } from "../../model/finding.js";
import type { ProjectFiles } from "../../python/project-files.js";
import { commentBody } from "../../review/comment.js";
import type { Outcome } from "../../review/fail-level.js";
import { fingerprintMarker, readFingerprintMarker } from "../../review/fingerprint.js";
import { GITHUB, NOT_INLINE, planComments, type PlannedComment } from "../../review/plan.js";
import type { ReviewResult } from "../../review/review.js";
import { checkSummary, checkText, checkTitle, githubReviewBody, type GithubActivity } from "../../review/summary.js";
import { truncateUtf8 } from "../../review/truncate.js";
import type { Logger } from "../adapter.js";
import { errorStatus, isTransient, type GithubOctokit, type PullRequestRef } from "./octokit.js";

export const CHECK_NAME = "eventlet-review";
/** GitHub takes at most 50 annotations per check run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on a check run's `output.summary` and `output.text`, in UTF-8 bytes. */
export const MAX_OUTPUT_BYTES = 65535;
/** Marks our review bodies, so a later run can find (and dismiss) our own blocking review. */
export const REVIEW_MARKER = "<!-- eventlet-review:review -->";

type Conclusion = "success" | "neutral" | "failure";
const CONCLUSIONS: Record<Outcome, Conclusion> = { clean: "success", findings: "neutral", fail: "failure" };
const LEVELS = { error: "failure", warning: "warning", info: "notice" } as const;

export interface ReviewComment {
  path: string;
  line: number;
  start_line?: number;
  side: "RIGHT";
  start_side?: "RIGHT";
  body: string;
}

/** A finding with where it went, for the check run's list of what is not inline. */
interface Placed {
  finding: Finding;
  fingerprint: string;
  comment?: ReviewComment;
}

export interface ReviewThread {
  id: string;
  isResolved: boolean;
  fingerprint: string;
  /** Resolved by someone other than the author of our comment (a person dismissed it). */
  resolvedByOthers: boolean;
  /** GitHub says this token may resolve it (the Actions GITHUB_TOKEN is reported unable to). */
  viewerCanResolve: boolean;
}

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
  /** A check run created when the job started (status in_progress); one is created otherwise. */
  checkRunId?: number;
  /** Extra notices for the check run (e.g. a file list cut at GitHub's limit). */
  notices?: Notice[];
  /** False: the check run only, no review (the GitHub Action's `check` reporter). Default true. */
  inlineComments?: boolean;
  /**
   * Called once before the first write with how many writes the publish will make: reserve them from
   * the write budget, or throw (rate limited, superseded) so that nothing at all is written.
   */
  beforeWrites?: (writes: number) => Promise<void>;
}

const THREADS_QUERY = `query EventletReviewThreads($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviews(states: [PENDING], first: 10) { nodes { databaseId viewerDidAuthor } }
      changesRequested: reviews(states: [CHANGES_REQUESTED], last: 100) { nodes { databaseId viewerDidAuthor } }
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          viewerCanResolve
          resolvedBy { login }
          comments(first: 1) { nodes { body viewerDidAuthor author { login } } }
        }
      }
    }
  }
}`;

const RESOLVE_MUTATION = `mutation EventletResolveThread($threadId: ID!) {
  resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
}`;

const ADD_THREAD_MUTATION = `mutation EventletAddThread($input: AddPullRequestReviewThreadInput!) {
  addPullRequestReviewThread(input: $input) { thread { id } }
}`;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviews: { nodes: Array<{ databaseId: number | null; viewerDidAuthor: boolean }> };
      changesRequested: { nodes: Array<{ databaseId: number | null; viewerDidAuthor: boolean }> };
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{
          id: string;
          isResolved: boolean;
          viewerCanResolve: boolean;
          resolvedBy: { login: string } | null;
          comments: { nodes: Array<{ body: string; viewerDidAuthor: boolean; author: { login: string } | null }> };
        }>;
      };
    } | null;
  };
}

export class GithubPublisher {
  /** Ids of PENDING reviews the token's user left on the pull request, as the threads query found them. */
  private pendingReviews: number[] = [];
  /** Ids of CHANGES_REQUESTED reviews GitHub says this token's user wrote (a copied marker does not count). */
  private ownChangeRequests = new Set<number>();

  constructor(
    private readonly octokit: GithubOctokit,
    private readonly pr: PullRequestRef,
    private readonly options: GithubPublisherOptions,
  ) {}

  get checkRunId(): number | undefined {
    return this.options.checkRunId;
  }

  addNotices(notices: readonly Notice[]): void {
    this.options.notices = [...(this.options.notices ?? []), ...notices];
  }

  async publish(result: ReviewResult): Promise<PublishReport> {
    const plan = await planComments(result.findings, result.changed, this.options.files, GITHUB);
    const prints = plan.map((p) => p.fingerprint);
    const placed: Placed[] = plan.map((p) => ({ finding: p.finding, fingerprint: p.fingerprint, comment: reviewComment(p) }));

    const threads = await this.ourThreads();
    // A fingerprint can have several threads (one we resolved, a newer open one): the open one counts.
    const rank = (t: ReviewThread) => (!t.isResolved ? 2 : t.resolvedByOthers ? 1 : 0);
    const byPrint = new Map<string, ReviewThread>();
    for (const t of threads) {
      const seen = byPrint.get(t.fingerprint);
      if (!seen || rank(t) > rank(seen)) byPrint.set(t.fingerprint, t);
    }
    const present = new Set(prints);
    const commented = placed.filter((p) => {
      const thread = byPrint.get(p.fingerprint);
      return thread !== undefined && (!thread.isResolved || thread.resolvedByOthers);
    });
    const candidates = placed.filter((p) => p.comment && !commented.includes(p));
    const inline = this.options.inlineComments !== false;
    const cap = inline ? result.config.github.max_inline_comments : 0;
    // The cap bounds our open threads on the pull request, not each review: a push that brings nothing
    // new must not post the findings that did not fit last time; fixed ones make room for the rest.
    const open = threads.filter((t) => !t.isResolved && present.has(t.fingerprint)).length;
    const room = Math.max(0, cap - open);
    const toPost = candidates.slice(0, room);
    const notInline: Array<{ placed: Placed; why: string }> = [
      ...placed.filter((p) => !p.comment).map((p) => ({ placed: p, why: NOT_INLINE.noLine })),
      ...candidates.slice(room).map((p) => ({ placed: p, why: inline ? NOT_INLINE.overCap(cap) : NOT_INLINE.noReview })),
    ];

    const gone = threads.filter((t) => !t.isResolved && !present.has(t.fingerprint));
    // A thread this token may not resolve costs no write: the check run says so instead.
    const stale = gone.filter((t) => t.viewerCanResolve);
    let unresolvable = gone.length - stale.length;
    const blocking = await this.blockingReviews(result);
    const annotationRequests = Math.max(1, Math.ceil(result.findings.length / ANNOTATIONS_PER_REQUEST));
    const writes = (toPost.length > 0 ? 1 + this.pendingReviews.length : 0) + stale.length + blocking.length + annotationRequests;
    await this.options.beforeWrites?.(writes);

    const pendingDeleted = toPost.length > 0 ? await this.deleteLeftoverPending() : 0;
    const refused = await this.postReview(toPost, result);
    notInline.push(...refused.map((p) => ({ placed: p, why: NOT_INLINE.refused("GitHub", "outside the diff") })));

    let resolved = 0;
    for (const thread of stale) {
      try {
        await this.octokit.graphql(RESOLVE_MUTATION, { threadId: thread.id });
        resolved++;
      } catch (error) {
        if (isTransient(error)) throw error;
        this.options.logger?.warn({ err: error, thread: thread.id }, "could not resolve a review thread");
        unresolvable++;
      }
    }

    const { dismissed, failed: dismissFailed } = await this.dismiss(blocking, result);

    const conclusion = CONCLUSIONS[result.outcome];
    const checkRunId = await this.completeCheckRun(result, conclusion, {
      posted: toPost.length - refused.length,
      alreadyCommented: commented.length,
      resolved,
      unresolvable,
      dismissed,
      dismissFailed,
      notInline,
    });
    return {
      checkRunId,
      conclusion,
      posted: toPost.length - refused.length,
      alreadyCommented: commented.length,
      resolved,
      notInline: notInline.length,
      dismissed,
      dismissFailed,
      pendingDeleted,
    };
  }

  /**
   * GitHub allows one PENDING review per user on a pull request, so a pending review of ours left by a
   * crash in the fallback below would make every later review fail: delete it first.
   */
  private async deleteLeftoverPending(): Promise<number> {
    let deleted = 0;
    for (const id of this.pendingReviews) {
      try {
        await this.octokit.rest.pulls.deletePendingReview({ owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber, review_id: id });
        deleted++;
        this.options.logger?.info({ review: id }, "deleted our leftover pending review");
      } catch (error) {
        // Already gone (another run deleted or submitted it) is fine; anything else shows in the next request.
        this.options.logger?.warn({ err: error, review: id }, "could not delete our leftover pending review");
      }
    }
    this.pendingReviews = [];
    return deleted;
  }

  /**
   * With `github.request_changes`, our REQUEST_CHANGES review blocks merging until it is dismissed:
   * once no finding is at or above fail_level, dismiss it (a COMMENT review would not lift the block).
   */
  private async blockingReviews(result: ReviewResult): Promise<number[]> {
    if (!result.config.github.request_changes || result.outcome === "fail") return [];
    const base = { owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber };
    const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, { ...base, per_page: 100 });
    // Our marker and our authorship: a person's request for changes with a copied marker is never dismissed.
    return reviews.filter((r) => r.state === "CHANGES_REQUESTED" && r.body?.includes(REVIEW_MARKER) && this.ownChangeRequests.has(r.id)).map((r) => r.id);
  }

  private async dismiss(reviewIds: readonly number[], result: ReviewResult): Promise<{ dismissed: number; failed: string[] }> {
    const failed: string[] = [];
    const base = { owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber };
    let dismissed = 0;
    for (const id of reviewIds) {
      try {
        await this.octokit.rest.pulls.dismissReview({
          ...base,
          review_id: id,
          message: `eventlet-review: no finding at or above \`${result.config.fail_level}\` any more (${this.pr.headSha.slice(0, 7)}).`,
        });
        dismissed++;
      } catch (error) {
        // A protected branch may allow dismissals to admins only: the review itself is still worth publishing.
        const status = errorStatus(error);
        const why = `${status === undefined ? "error" : `HTTP ${status}`}: ${(error as Error).message ?? String(error)}`;
        this.options.logger?.warn({ err: error, review: id }, "could not dismiss our request for changes");
        failed.push(why);
      }
    }
    return { dismissed, failed };
  }

  /** Completes the check run without a review: a broken config, or a review that could not finish. */
  async failCheckRun(conclusion: "failure" | "neutral", title: string, summary: string): Promise<void> {
    await this.options.beforeWrites?.(1);
    const output = { title, summary: cut(summary, "the summary") };
    const common = { owner: this.pr.owner, repo: this.pr.repo, status: "completed" as const, conclusion, completed_at: new Date().toISOString(), output };
    if (this.options.checkRunId === undefined) {
      await this.octokit.rest.checks.create({ ...common, name: CHECK_NAME, head_sha: this.pr.headSha, external_id: String(this.pr.pullNumber) });
    } else {
      await this.octokit.rest.checks.update({ ...common, check_run_id: this.options.checkRunId });
    }
  }

  /** Review threads that start with a comment of ours (GitHub's `viewerDidAuthor`) carrying a fingerprint marker. */
  async ourThreads(): Promise<ReviewThread[]> {
    const threads: ReviewThread[] = [];
    let cursor: string | null = null;
    do {
      const page: ThreadsPage = await this.octokit.graphql<ThreadsPage>(THREADS_QUERY, {
        owner: this.pr.owner,
        repo: this.pr.repo,
        number: this.pr.pullNumber,
        cursor,
      });
      const pull = page.repository.pullRequest;
      if (!pull) break;
      if (cursor === null) {
        this.pendingReviews = pull.reviews.nodes.filter((r) => r.viewerDidAuthor && r.databaseId !== null).map((r) => r.databaseId!);
        this.ownChangeRequests = new Set(pull.changesRequested.nodes.filter((r) => r.viewerDidAuthor && r.databaseId !== null).map((r) => r.databaseId!));
      }
      const connection = pull.reviewThreads;
      for (const node of connection.nodes) {
        const first = node.comments.nodes[0];
        // Ours only when GitHub says this token's user wrote it: anyone can paste our hidden marker into a
        // comment of theirs, and a thread of theirs must never stand for (and silence) a comment of ours.
        const fingerprint = first?.viewerDidAuthor ? readFingerprintMarker(first.body) : undefined;
        if (!fingerprint) continue;
        const resolver = node.resolvedBy?.login;
        threads.push({
          id: node.id,
          isResolved: node.isResolved,
          fingerprint,
          resolvedByOthers: node.isResolved && resolver !== undefined && resolver !== first.author?.login,
          viewerCanResolve: node.viewerCanResolve !== false,
        });
      }
      cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (cursor);
    return threads;
  }

  private reviewEvent(result: ReviewResult): "COMMENT" | "REQUEST_CHANGES" {
    return result.config.github.request_changes && result.outcome === "fail" ? "REQUEST_CHANGES" : "COMMENT";
  }

  private reviewBody(posted: readonly Placed[], result: ReviewResult): string {
    return `${githubReviewBody(result, posted.map((p) => p.finding), CHECK_NAME)}\n\n${REVIEW_MARKER}`;
  }

  /**
   * Posts one review with every new comment. GitHub refuses the whole review with 422 when one comment
   * is outside the diff without saying which: then a pending review gets the comments one by one, the
   * refused ones are returned (for the check run), and the review is submitted with the rest.
   */
  private async postReview(toPost: Placed[], result: ReviewResult): Promise<Placed[]> {
    if (toPost.length === 0) return [];
    const base = { owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber };
    const event = this.reviewEvent(result);
    const body = this.reviewBody(toPost, result);
    try {
      await this.octokit.rest.pulls.createReview({ ...base, commit_id: this.pr.headSha, event, body, comments: toPost.map((p) => p.comment!) });
      return [];
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error;
      this.options.logger?.warn({ err: error }, "GitHub refused the review; adding its comments one by one");
    }

    let pending: { id: number; node_id: string };
    try {
      ({ data: pending } = await this.octokit.rest.pulls.createReview({ ...base, commit_id: this.pr.headSha }));
    } catch (error) {
      this.options.logger?.warn({ err: error }, "could not start a pending review; listing every comment in the check run");
      return toPost;
    }
    const refused: Placed[] = [];
    const accepted: Placed[] = [];
    let submitted = false;
    try {
      for (const p of toPost) {
        const c = p.comment!;
        try {
          await this.octokit.graphql(ADD_THREAD_MUTATION, {
            input: {
              pullRequestReviewId: pending.node_id,
              path: c.path,
              line: c.line,
              side: c.side,
              ...(c.start_line !== undefined ? { startLine: c.start_line, startSide: c.start_side } : {}),
              body: c.body,
            },
          });
          accepted.push(p);
        } catch (error) {
          if (isTransient(error)) throw error; // GitHub did not answer: retry the job, not a refusal
          this.options.logger?.info({ err: error, path: c.path, line: c.line }, "comment refused; it goes to the check run");
          refused.push(p);
        }
      }
      if (accepted.length > 0) {
        await this.octokit.rest.pulls.submitReview({ ...base, review_id: pending.id, event, body: this.reviewBody(accepted, result) });
        submitted = true;
      }
    } finally {
      // Nothing accepted, or a failure on the way: a pending review left behind would block every later one.
      if (!submitted) {
        await this.octokit.rest.pulls.deletePendingReview({ ...base, review_id: pending.id }).catch((error: unknown) => {
          this.options.logger?.warn({ err: error, review: pending.id }, "could not delete the pending review; the next run deletes it");
        });
      }
    }
    return refused;
  }

  private async completeCheckRun(
    result: ReviewResult,
    conclusion: Conclusion,
    stats: GithubActivity & { notInline: Array<{ placed: Placed; why: string }> },
  ): Promise<number> {
    const output = {
      title: checkTitle(result.findings),
      summary: cut(checkSummary(result, this.pr.headSha, stats), "the summary"),
      text: cut(this.text(result, stats.notInline), "the details"),
    };
    const annotations = result.findings.map(annotation);
    const batches: (typeof annotations)[] = [];
    for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    if (batches.length === 0) batches.push([]);

    const base = { owner: this.pr.owner, repo: this.pr.repo };
    let id = this.options.checkRunId;
    // Created completed, with its output and the first 50 annotations: one write. Only past 50
    // annotations do follow-up updates append the rest (GitHub takes 50 per request).
    const done = { status: "completed" as const, conclusion, completed_at: new Date().toISOString() };
    for (const batch of batches) {
      const withOutput = { output: { ...output, ...(batch.length ? { annotations: batch } : {}) } };
      if (id === undefined) {
        const { data } = await this.octokit.rest.checks.create({
          ...base,
          name: CHECK_NAME,
          head_sha: this.pr.headSha,
          external_id: String(this.pr.pullNumber),
          ...done,
          ...withOutput,
        });
        id = data.id;
        this.options.checkRunId = id;
      } else {
        await this.octokit.rest.checks.update({ ...base, check_run_id: id, ...withOutput });
      }
    }
    this.options.checkRunId = id;
    return id!;
  }

  private text(result: ReviewResult, notInline: Array<{ placed: Placed; why: string }>): string {
    const listed = notInline.map(({ placed, why }) => ({ finding: placed.finding, why }));
    return checkText(listed, [...result.notices, ...(this.options.notices ?? [])]);
  }
}

function annotation(f: Finding) {
  const related = (f.related ?? []).map((r) => `\n${r.path}:${r.line}: ${r.message}`).join("");
  return {
    path: f.path,
    start_line: f.line,
    end_line: f.endLine,
    ...(f.line === f.endLine ? { start_column: f.column, end_column: Math.max(f.column, f.endColumn - 1) } : {}),
    annotation_level: LEVELS[f.severity],
    title: `${f.rule} ${f.name}`.slice(0, 255),
    message: `${f.message}${related}`.slice(0, 64000),
    raw_details: f.section.url,
  };
}

/** A check run's summary and text hold at most 65,535 bytes of UTF-8 each (not characters). */
function cut(text: string, what: string): string {
  return truncateUtf8(text, MAX_OUTPUT_BYTES, what);
}

/** The inline comment for a planned finding (plan.ts places it); undefined when no line can take it. */
function reviewComment({ finding, fingerprint, placement: at }: PlannedComment): ReviewComment | undefined {
  if (!at) return undefined;
  const body = `${commentBody(finding, { suggestions: at.suggestion })}\n\n${fingerprintMarker(fingerprint)}`;
  if (at.startLine !== undefined) return { path: at.path, start_line: at.startLine, start_side: "RIGHT", line: at.line, side: "RIGHT", body };
  return { path: at.path, line: at.line, side: "RIGHT", body };
}
