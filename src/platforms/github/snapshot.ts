/**
 * Everything a review needs to know before it reads the diff, in one GraphQL query: whether the job's
 * head is still the pull request's (and whether it is a draft), the config at the base revision, the
 * facts files at the head (requirements, setup.cfg, pyproject.toml, tox.ini, .gitreview), the first
 * page of our review threads, our pending and our blocking reviews, the names at the root of the head and
 * the repository's size (whether its tarball is worth reading). Read separately that was four to
 * six calls (pulls.get, a blob query, the threads query, the reviews list, the facts files on demand).
 */
import { CONFIG_SOURCES } from "../../config/sources.js";
import { DISTRIBUTION_FILES } from "../../facts/distribution.js";
import { SERIES_FILES } from "../../facts/series.js";
import { ROOT_REQUIREMENT_FILES } from "../../facts/versions.js";
import { blobQuery, type BlobNode, type BlobReader } from "./blobs.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";
import { readThreadsPage, REVIEW_FIELDS, THREAD_FIELDS, type ThreadsNode, type ThreadsState } from "./threads.js";

/** The root files the facts read (versions, series, distribution, programs): asked for with the rest. */
export const FACTS_FILES = [...new Set([...ROOT_REQUIREMENT_FILES, ...DISTRIBUTION_FILES, ...SERIES_FILES])];

interface PullNode extends ThreadsNode {
  state: "OPEN" | "CLOSED" | "MERGED";
  isDraft: boolean;
  headRefOid: string;
}

export interface PullSnapshot {
  open: boolean;
  draft: boolean;
  /** The pull request's head now (a newer push makes the job's revision stale). */
  headSha: string;
  /** The first page of our threads and our reviews (threads.ts reads the rest). */
  threads: ThreadsState & { next: string | null };
}

/** Reads the snapshot; the blobs it fetched go into `blobs` (config at the base, facts at the head). */
export async function readSnapshot(octokit: GithubOctokit, pr: PullRequestRef, blobs?: BlobReader): Promise<PullSnapshot | undefined> {
  const expressions = [...CONFIG_SOURCES.map((name) => `${pr.baseSha}:${name}`), ...FACTS_FILES.map((name) => `${pr.headSha}:${name}`)];
  const { query, variables } = blobQuery(pr, expressions, {
    name: "EventletReviewPull",
    declarations: "$number: Int!, $cursor: String, $root: String!",
    fields: `diskUsage
    root: object(expression: $root) { ... on Tree { entries { name } } }
    pullRequest(number: $number) {
      state
      isDraft
      headRefOid
      ${THREAD_FIELDS}
      ${REVIEW_FIELDS}
    }`,
  });
  const data = await octokit.graphql<{
    repository: Record<string, BlobNode | null> & { pullRequest: PullNode | null; root: { entries?: Array<{ name: string }> } | null; diskUsage: number | null };
  }>(query, {
    ...variables,
    number: pr.pullNumber,
    cursor: null,
    root: `${pr.headSha}:`,
  });
  const repository = data.repository;
  expressions.forEach((expression, i) => {
    const at = expression.indexOf(":");
    blobs?.seed(expression.slice(0, at), expression.slice(at + 1), repository[`f${i}`] ?? null);
  });
  // The analyzer asks whether imported modules are part of the tree (`MySQLdb/__init__.py`): a name
  // the root does not hold is answered without a query.
  const root = repository.root?.entries;
  if (root) blobs?.limitTo(pr.headSha, new Set(root.map((e) => e.name)));
  // Kilobytes: whether a tarball of the tree (blobs.ts, archive.ts) is worth downloading.
  if (blobs && typeof repository.diskUsage === "number") blobs.repositoryBytes = repository.diskUsage * 1024;
  const pull = repository.pullRequest;
  if (!pull) return undefined;
  return { open: pull.state === "OPEN", draft: pull.isDraft, headSha: pull.headRefOid, threads: readThreadsPage(pull) };
}
