/**
 * Our review threads on a pull request, over GraphQL (REST can neither list threads with their state nor
 * resolve them): the threads a comment of ours opened, found by the fingerprint marker AND by GitHub
 * saying the token's account wrote it (`viewerDidAuthor`: a copied marker in someone else's comment
 * silences nothing), our own PENDING reviews (one left behind blocks every later review) and our
 * REQUEST_CHANGES reviews (to dismiss once nothing fails).
 */
import { readFingerprintMarker } from "../../review/fingerprint.js";
import type { ExistingThread } from "../../review/plan.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";

/** Marks our review bodies, so a later run can find (and dismiss) our own blocking review. */
export const REVIEW_MARKER = "<!-- eventlet-review:review -->";

export interface ReviewThread extends ExistingThread {
  id: string;
  /** GitHub says this token may resolve it (the Actions GITHUB_TOKEN is reported unable to). */
  viewerCanResolve: boolean;
}

/** The fields of the pull request the threads come with: one page of threads and our reviews. */
export const THREAD_FIELDS = `reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          viewerCanResolve
          resolvedBy { login }
          comments(first: 1) { nodes { body viewerDidAuthor author { login } } }
        }
      }`;
export const REVIEW_FIELDS = `pending: reviews(states: [PENDING], first: 10) { nodes { databaseId viewerDidAuthor } }
      blocking: reviews(states: [CHANGES_REQUESTED], last: 100) { nodes { databaseId viewerDidAuthor body } }`;

const THREADS_QUERY = `query EventletReviewThreads($owner: String!, $repo: String!, $number: Int!, $cursor: String, $first: Boolean!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      ${THREAD_FIELDS}
      ... @include(if: $first) {
        ${REVIEW_FIELDS}
      }
    }
  }
}`;

const RESOLVE_MUTATION = `mutation EventletResolveThread($threadId: ID!) {
  resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
}`;

interface ReviewNode {
  databaseId: number | null;
  viewerDidAuthor: boolean;
  body?: string;
}

export interface ThreadsNode {
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
  pending?: { nodes: ReviewNode[] };
  blocking?: { nodes: ReviewNode[] };
}

export interface ThreadsState {
  threads: ReviewThread[];
  /** Ids of PENDING reviews the token's account left on the pull request. */
  pendingReviews: number[];
  /** Ids of our REQUEST_CHANGES reviews (marked with REVIEW_MARKER). */
  blockingReviews: number[];
}

/** What one page (the pull request node of a query) says; `next` is the cursor of the following page. */
export function readThreadsPage(pull: ThreadsNode): ThreadsState & { next: string | null } {
  const threads: ReviewThread[] = [];
  for (const node of pull.reviewThreads.nodes) {
    const first = node.comments.nodes[0];
    if (!first?.viewerDidAuthor) continue;
    const fingerprint = readFingerprintMarker(first.body);
    if (!fingerprint) continue;
    const resolver = node.resolvedBy?.login;
    threads.push({
      id: node.id,
      fingerprint,
      resolved: node.isResolved,
      byPerson: node.isResolved && resolver !== undefined && resolver !== first.author?.login,
      viewerCanResolve: node.viewerCanResolve !== false,
    });
  }
  const ours = (r: ReviewNode) => r.viewerDidAuthor && r.databaseId !== null;
  const page = pull.reviewThreads.pageInfo;
  return {
    threads,
    pendingReviews: (pull.pending?.nodes ?? []).filter(ours).map((r) => r.databaseId!),
    blockingReviews: (pull.blocking?.nodes ?? []).filter((r) => ours(r) && r.body?.includes(REVIEW_MARKER) === true).map((r) => r.databaseId!),
    next: page.hasNextPage ? page.endCursor : null,
  };
}

/** Every thread of ours and our reviews; `start` is a first page already read (the pull request snapshot). */
export async function readThreads(octokit: GithubOctokit, pr: PullRequestRef, start?: ThreadsState & { next: string | null }): Promise<ThreadsState> {
  const state: ThreadsState = start ? { ...start, threads: [...start.threads] } : { threads: [], pendingReviews: [], blockingReviews: [] };
  let cursor = start ? start.next : null;
  let first = start === undefined;
  while (first || cursor) {
    const data = await octokit.graphql<{ repository: { pullRequest: ThreadsNode | null } }>(THREADS_QUERY, {
      owner: pr.owner,
      repo: pr.repo,
      number: pr.pullNumber,
      cursor,
      first,
    });
    const pull = data.repository.pullRequest;
    if (!pull) break;
    const page = readThreadsPage(pull);
    state.threads.push(...page.threads);
    if (first) {
      state.pendingReviews = page.pendingReviews;
      state.blockingReviews = page.blockingReviews;
    }
    first = false;
    cursor = page.next;
  }
  return state;
}

export async function resolveThread(octokit: GithubOctokit, threadId: string): Promise<void> {
  await octokit.graphql(RESOLVE_MUTATION, { threadId });
}
