/**
 * With `github.request_changes`, our REQUEST_CHANGES review blocks merging until it is dismissed (a
 * COMMENT review would not lift the block): once no finding is at or above fail_level, dismiss it.
 * Dismissing on a protected branch needs admin rights or a dismissal allowance, so GitHub may answer
 * 403: that is logged and reported in the check run, never fatal.
 */
import type { Logger } from "../adapter.js";
import { errorStatus, type GithubOctokit, type PullRequestRef } from "./octokit.js";

export interface Dismissals {
  dismissed: number;
  /** Why each refused dismissal was refused. */
  failed: string[];
}

export async function dismissReviews(octokit: GithubOctokit, pr: PullRequestRef, reviewIds: readonly number[], message: string, logger?: Logger): Promise<Dismissals> {
  const failed: string[] = [];
  let dismissed = 0;
  for (const id of reviewIds) {
    try {
      await octokit.rest.pulls.dismissReview({ owner: pr.owner, repo: pr.repo, pull_number: pr.pullNumber, review_id: id, message });
      dismissed++;
    } catch (error) {
      const status = errorStatus(error);
      failed.push(`${status === undefined ? "error" : `HTTP ${status}`}: ${(error as Error).message ?? String(error)}`);
      logger?.warn({ err: error, review: id }, "could not dismiss our request for changes");
    }
  }
  return { dismissed, failed };
}
