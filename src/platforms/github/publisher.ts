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
import { GITHUB, NOT_INLINE, planComments, truncate, type PlannedComment } from "../../review/plan.js";
import type { ReviewResult } from "../../review/review.js";
import { checkSummary, checkText, checkTitle, githubReviewBody } from "../../review/summary.js";
import type { Logger } from "../adapter.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";

export const CHECK_NAME = "eventlet-review";
/** GitHub takes at most 50 annotations per check run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
const MAX_OUTPUT_CHARS = 65535;
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
}

const THREADS_QUERY = `query EventletReviewThreads($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          resolvedBy { login }
          comments(first: 1) { nodes { body author { login } } }
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
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{
          id: string;
          isResolved: boolean;
          resolvedBy: { login: string } | null;
          comments: { nodes: Array<{ body: string; author: { login: string } | null }> };
        }>;
      };
    } | null;
  };
}

export class GithubPublisher {

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

    const refused = await this.postReview(toPost, result);
    notInline.push(...refused.map((p) => ({ placed: p, why: NOT_INLINE.refused("GitHub", "outside the diff") })));

    const stale = threads.filter((t) => !t.isResolved && !present.has(t.fingerprint));
    let resolved = 0;
    for (const thread of stale) {
      try {
        await this.octokit.graphql(RESOLVE_MUTATION, { threadId: thread.id });
        resolved++;
      } catch (error) {
        this.options.logger?.warn({ err: error, thread: thread.id }, "could not resolve a review thread");
      }
    }

    const dismissed = await this.dismissBlockingReviews(result);

    const conclusion = CONCLUSIONS[result.outcome];
    const checkRunId = await this.completeCheckRun(result, conclusion, {
      posted: toPost.length - refused.length,
      alreadyCommented: commented.length,
      resolved,
      dismissed,
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
    };
  }

  /**
   * With `github.request_changes`, our REQUEST_CHANGES review blocks merging until it is dismissed:
   * once no finding is at or above fail_level, dismiss it (a COMMENT review would not lift the block).
   */
  private async dismissBlockingReviews(result: ReviewResult): Promise<number> {
    if (!result.config.github.request_changes || result.outcome === "fail") return 0;
    const base = { owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber };
    const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, { ...base, per_page: 100 });
    let dismissed = 0;
    for (const review of reviews) {
      if (review.state !== "CHANGES_REQUESTED" || !review.body?.includes(REVIEW_MARKER)) continue;
      await this.octokit.rest.pulls.dismissReview({
        ...base,
        review_id: review.id,
        message: `eventlet-review: no finding at or above \`${result.config.fail_level}\` any more (${this.pr.headSha.slice(0, 7)}).`,
      });
      dismissed++;
    }
    return dismissed;
  }

  /** Creates the check run in progress, before the analysis starts. */
  async startCheckRun(): Promise<number> {
    const { data } = await this.octokit.rest.checks.create({
      owner: this.pr.owner,
      repo: this.pr.repo,
      name: CHECK_NAME,
      head_sha: this.pr.headSha,
      external_id: String(this.pr.pullNumber),
      status: "in_progress",
      started_at: new Date().toISOString(),
    });
    this.options.checkRunId = data.id;
    return data.id;
  }

  /** Completes the check run without a review: a broken config, or a review that could not finish. */
  async failCheckRun(conclusion: "failure" | "neutral", title: string, summary: string): Promise<void> {
    const output = { title, summary: cut(summary) };
    const common = { owner: this.pr.owner, repo: this.pr.repo, status: "completed" as const, conclusion, completed_at: new Date().toISOString(), output };
    if (this.options.checkRunId === undefined) {
      await this.octokit.rest.checks.create({ ...common, name: CHECK_NAME, head_sha: this.pr.headSha, external_id: String(this.pr.pullNumber) });
    } else {
      await this.octokit.rest.checks.update({ ...common, check_run_id: this.options.checkRunId });
    }
  }

  /** Review threads that start with one of our comments (found by their fingerprint marker). */
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
      const connection = page.repository.pullRequest?.reviewThreads;
      if (!connection) break;
      for (const node of connection.nodes) {
        const first = node.comments.nodes[0];
        const fingerprint = first ? readFingerprintMarker(first.body) : undefined;
        if (!fingerprint) continue;
        const resolver = node.resolvedBy?.login;
        threads.push({
          id: node.id,
          isResolved: node.isResolved,
          fingerprint,
          resolvedByOthers: node.isResolved && resolver !== undefined && resolver !== first.author?.login,
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
        this.options.logger?.info({ err: error, path: c.path, line: c.line }, "comment refused; it goes to the check run");
        refused.push(p);
      }
    }
    if (accepted.length === 0) {
      await this.octokit.rest.pulls.deletePendingReview({ ...base, review_id: pending.id });
    } else {
      await this.octokit.rest.pulls.submitReview({ ...base, review_id: pending.id, event, body: this.reviewBody(accepted, result) });
    }
    return refused;
  }

  private async completeCheckRun(
    result: ReviewResult,
    conclusion: Conclusion,
    stats: { posted: number; alreadyCommented: number; resolved: number; dismissed: number; notInline: Array<{ placed: Placed; why: string }> },
  ): Promise<number> {
    const output = { title: checkTitle(result.findings), summary: cut(checkSummary(result, this.pr.headSha, stats)), text: cut(this.text(result, stats.notInline)) };
    const annotations = result.findings.map(annotation);
    const batches: (typeof annotations)[] = [];
    for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    if (batches.length === 0) batches.push([]);

    const base = { owner: this.pr.owner, repo: this.pr.repo };
    let id = this.options.checkRunId;
    for (const [i, batch] of batches.entries()) {
      const last = i === batches.length - 1;
      const done = last ? { status: "completed" as const, conclusion, completed_at: new Date().toISOString() } : {};
      const withOutput = { ...done, output: { ...output, ...(batch.length ? { annotations: batch } : {}) } };
      if (id === undefined) {
        const { data } = await this.octokit.rest.checks.create({
          ...base,
          name: CHECK_NAME,
          head_sha: this.pr.headSha,
          external_id: String(this.pr.pullNumber),
          ...(last ? {} : { status: "in_progress" as const }),
          ...withOutput,
        });
        id = data.id;
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

/** A check run's summary and text hold at most 65,535 characters each. */
function cut(text: string): string {
  return truncate(text, MAX_OUTPUT_CHARS, "\n\n… (cut at GitHub's 65,535-character limit)");
}

/** The inline comment for a planned finding (plan.ts places it); undefined when no line can take it. */
function reviewComment({ finding, fingerprint, placement: at }: PlannedComment): ReviewComment | undefined {
  if (!at) return undefined;
  const body = `${commentBody(finding, { suggestions: at.suggestion })}\n\n${fingerprintMarker(fingerprint)}`;
  if (at.startLine !== undefined) return { path: at.path, start_line: at.startLine, start_side: "RIGHT", line: at.line, side: "RIGHT", body };
  return { path: at.path, line: at.line, side: "RIGHT", body };
}
