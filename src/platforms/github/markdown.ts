/**
 * The words of a GitHub review, put together from review/comment.ts and review/summary.ts: each inline
 * comment with its hidden fingerprint marker, the review body with our review marker, and the check
 * run's title, summary and text.
 */
import type { Finding, Notice } from "../../model/finding.js";
import { commentBody } from "../../review/comment.js";
import { fingerprintMarker } from "../../review/fingerprint.js";
import type { PlannedComment } from "../../review/plan.js";
import type { ReviewResult } from "../../review/review.js";
import { checkSummary, checkText, checkTitle, githubReviewBody, type GithubActivity } from "../../review/summary.js";
import { CHECK_NAME, type CheckOutput } from "./check-run.js";
import type { ReviewComment } from "./review-post.js";
import { REVIEW_MARKER } from "./threads.js";

/** The inline comment for a planned finding (plan.ts places it); undefined when no line can take it. */
export function reviewComment({ finding, fingerprint, placement: at }: PlannedComment): ReviewComment | undefined {
  if (!at) return undefined;
  const body = `${commentBody(finding, { suggestions: at.suggestion })}\n\n${fingerprintMarker(fingerprint)}`;
  if (at.startLine !== undefined) return { path: at.path, start_line: at.startLine, start_side: "RIGHT", line: at.line, side: "RIGHT", body };
  return { path: at.path, line: at.line, side: "RIGHT", body };
}

/** The review's body: the findings it comments, and the marker that lets a later run find it. */
export function reviewBody(result: ReviewResult, posted: readonly Finding[]): string {
  return `${githubReviewBody(result, posted, CHECK_NAME)}\n\n${REVIEW_MARKER}`;
}

/** The check run's output: what was found, what this run did, what is not inline and why, the notices. */
export function checkOutput(
  result: ReviewResult,
  headSha: string,
  stats: GithubActivity,
  notInline: ReadonlyArray<{ finding: Finding; why: string }>,
  notices: readonly Notice[],
): CheckOutput {
  return {
    title: checkTitle(result.findings),
    summary: checkSummary(result, headSha, stats),
    text: checkText(notInline, [...result.notices, ...notices]),
  };
}
