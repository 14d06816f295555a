/**
 * Posting one review with its inline comments, and GitHub's ways of refusing it.
 *
 * GitHub refuses the whole review with 422 when one comment is outside the diff, without saying which.
 * Then a PENDING review gets the comments one by one (GraphQL `addPullRequestReviewThread`), the refused
 * ones are handed back for the check run, and the review is submitted with the rest. GitHub allows one
 * PENDING review per user on a pull request (max-sixty/tend#1171), so a pending review left behind
 * would make every later review fail: ours is deleted in a `finally` when it was not submitted, and one
 * a crash left is deleted before the next review is posted.
 */
import type { Logger } from "../adapter.js";
import { isTransient, type GithubOctokit, type PullRequestRef } from "./octokit.js";

export interface ReviewComment {
  path: string;
  line: number;
  start_line?: number;
  side: "RIGHT";
  start_side?: "RIGHT";
  body: string;
}

export type ReviewEvent = "COMMENT" | "REQUEST_CHANGES";

const ADD_THREAD_MUTATION = `mutation EventletAddThread($input: AddPullRequestReviewThreadInput!) {
  addPullRequestReviewThread(input: $input) { thread { id } }
}`;

export class ReviewPoster {
  constructor(
    private readonly octokit: GithubOctokit,
    private readonly pr: PullRequestRef,
    private readonly logger?: Logger,
  ) {}

  private base() {
    return { owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber };
  }

  /** Deletes our leftover PENDING reviews (`ids`, from threads.ts); returns how many went. */
  async deletePending(ids: readonly number[]): Promise<number> {
    let deleted = 0;
    for (const id of ids) {
      try {
        await this.octokit.rest.pulls.deletePendingReview({ ...this.base(), review_id: id });
        deleted++;
        this.logger?.info({ review: id }, "deleted our leftover pending review");
      } catch (error) {
        // Already gone (another run deleted or submitted it) is fine; anything else shows in the next request.
        this.logger?.warn({ err: error, review: id }, "could not delete our leftover pending review");
      }
    }
    return deleted;
  }

  /**
   * Posts `comments` in one review, `body(accepted)` its text; returns the comments GitHub refused (only
   * through the fallback: a single review is all or nothing).
   */
  async post<C extends { comment: ReviewComment }>(comments: readonly C[], event: ReviewEvent, body: (accepted: readonly C[]) => string): Promise<C[]> {
    if (comments.length === 0) return [];
    try {
      await this.octokit.rest.pulls.createReview({ ...this.base(), commit_id: this.pr.headSha, event, body: body(comments), comments: comments.map((c) => c.comment) });
      return [];
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error;
      this.logger?.warn({ err: error }, "GitHub refused the review; adding its comments one by one");
    }
    return this.oneByOne(comments, event, body);
  }

  private async oneByOne<C extends { comment: ReviewComment }>(comments: readonly C[], event: ReviewEvent, body: (accepted: readonly C[]) => string): Promise<C[]> {
    let pending: { id: number; node_id: string };
    try {
      ({ data: pending } = await this.octokit.rest.pulls.createReview({ ...this.base(), commit_id: this.pr.headSha }));
    } catch (error) {
      this.logger?.warn({ err: error }, "could not start a pending review; listing every comment in the check run");
      return [...comments];
    }
    const refused: C[] = [];
    const accepted: C[] = [];
    let submitted = false;
    try {
      for (const c of comments) {
        const { comment } = c;
        try {
          await this.octokit.graphql(ADD_THREAD_MUTATION, {
            input: {
              pullRequestReviewId: pending.node_id,
              path: comment.path,
              line: comment.line,
              side: comment.side,
              ...(comment.start_line !== undefined ? { startLine: comment.start_line, startSide: comment.start_side } : {}),
              body: comment.body,
            },
          });
          accepted.push(c);
        } catch (error) {
          if (isTransient(error)) throw error; // GitHub did not answer: retry the job, not a refusal
          this.logger?.info({ err: error, path: comment.path, line: comment.line }, "comment refused; it goes to the check run");
          refused.push(c);
        }
      }
      if (accepted.length > 0) {
        await this.octokit.rest.pulls.submitReview({ ...this.base(), review_id: pending.id, event, body: body(accepted) });
        submitted = true;
      }
    } finally {
      // Nothing accepted, or a failure on the way: a pending review left behind would block every later one.
      if (!submitted) {
        await this.octokit.rest.pulls.deletePendingReview({ ...this.base(), review_id: pending.id }).catch((error: unknown) => {
          this.logger?.warn({ err: error, review: pending.id }, "could not delete the pending review; the next run deletes it");
        });
      }
    }
    return refused;
  }
}
