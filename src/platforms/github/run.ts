/**
 * One review of one pull request revision, on any authenticated Octokit: read the config at the base
 * SHA, open the check run, run the platform-neutral review, publish. Shared by the GitHub App's jobs
 * and the GitHub Actions mode.
 */
import { ConfigError } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { mdText } from "../../review/markdown.js";
import { findingPrints } from "../../review/plan.js";
import { readChangeConfig, reviewChange } from "../../review/review.js";
import { isRateLimited, type Logger, type ServiceHooks } from "../adapter.js";
import { classify, errorStatus, isTransient, type GithubOctokit, type PullRequestRef } from "./octokit.js";
import { GithubPublisher, type GithubPublisherOptions, type PublishReport } from "./publisher.js";
import { BlobReader } from "./blobs.js";
import { readSnapshot, type PullSnapshot } from "./snapshot.js";
import { GithubChangeSource, MAX_LISTED_FILES } from "./source.js";

export interface ReviewRequest extends PullRequestRef {
  /** The pull request is a draft: it waits unless the config says `github.review_drafts: true`. */
  draft?: boolean;
  /** Someone asked for this run (recheck command, re-run button): drafts are reviewed too. */
  recheck?: boolean;
}

export type ReviewOutcome =
  | { status: "published"; report: PublishReport; findings: number; prints: { rule: string; fingerprint: string }[] }
  | { status: "skipped"; reason: string }
  | { status: "config-error"; message: string };

export interface RunOptions {
  logger: Logger;
  hooks?: Pick<ServiceHooks, "reviewPosted" | "analysisSeconds">;
  /** A source to read the pull request through (the GitHub Action's reads its config from another path). */
  source?: GithubChangeSource;
  /** Publisher options beyond files and logger (the Action's `check` reporter: `inlineComments: false`). */
  publisher?: Pick<GithubPublisherOptions, "inlineComments">;
  /** True once a newer job stands for the pull request: then nothing is written. */
  superseded?: () => Promise<boolean>;
  /** Reserves the writes a publish will make (the installation's write budget); throws RateLimitedError. */
  reserveWrites?: (writes: number) => Promise<void>;
  /** Changes the parsed config before the review (the GitHub Action's `fail-level` input). */
  override?: (config: Config) => Config;
  /** What `currentHead` read: the config, facts files and threads come from it at no further call. */
  head?: CurrentHead;
}

/** A newer push came in while this review ran: it writes nothing, the newer job reviews. */
class Superseded extends Error {}

/** Reads the base config; a broken one is reported on the check run rather than ignored. */
export function readConfig(source: GithubChangeSource): Promise<Config> {
  return readChangeConfig(source);
}

export async function reviewPullRequest(octokit: GithubOctokit, request: ReviewRequest, options: RunOptions): Promise<ReviewOutcome> {
  const log = options.logger.child({ repository: `${request.owner}/${request.repo}`, pull: request.pullNumber, sha: request.headSha });
  const source = options.source ?? new GithubChangeSource(octokit, request, options.head?.blobs);
  source.blobs.log ??= log;
  const beforeWrites = async (writes: number) => {
    if (await options.superseded?.()) throw new Superseded("a newer push is queued");
    await options.reserveWrites?.(writes);
  };
  const threads = options.head?.snapshot.threads;
  const publisher = new GithubPublisher(octokit, request, { files: source, logger: log, ...options.publisher, beforeWrites, ...(threads ? { threads } : {}) });
  let config: Config;
  try {
    config = await readConfig(source);
    if (options.override) config = options.override(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw classify(error, "reading .eventlet-review.yaml");
    log.warn({ error: error.message }, "invalid repository config");
    try {
      await publisher.failCheckRun("failure", "Invalid eventlet-review configuration", `The configuration at the base branch could not be used:\n\n${mdText(error.message)}`);
    } catch (e) {
      if (e instanceof Superseded) return { status: "skipped", reason: "superseded" };
      throw e;
    }
    return { status: "config-error", message: error.message };
  }
  source.limitFileBytes(config.max_file_bytes); // from the first fetch: the fallback diff reads contents too
  if (request.draft && !request.recheck && !config.github.review_drafts) {
    log.info("draft pull request: waiting for ready_for_review");
    return { status: "skipped", reason: "draft" };
  }

  try {
    const started = performance.now();
    const result = await reviewChange(source, { config });
    options.hooks?.analysisSeconds("github", (performance.now() - started) / 1000);
    if (await source.listTruncated()) {
      publisher.addNotices([
        { path: "(pull request)", message: `GitHub lists only the first ${MAX_LISTED_FILES} files of a pull request; later files were not reviewed` },
      ]);
    }
    const report = await publisher.publish(result);
    options.hooks?.reviewPosted("github", result.findings);
    log.info({ findings: result.findings.length, ...report }, "review published");
    return { status: "published", report, findings: result.findings.length, prints: await findingPrints(result.findings, source).catch(() => []) };
  } catch (error) {
    if (error instanceof Superseded) {
      log.info("superseded while reviewing: nothing written");
      return { status: "skipped", reason: "superseded" };
    }
    // Delayed or retried: the next run publishes; nothing is written meanwhile.
    if (isRateLimited(error) || isTransient(error)) {
      log.warn({ err: error }, "review interrupted; the queue runs it again");
      throw classify(error, "reviewing the pull request");
    }
    log.error({ err: error }, "review failed");
    // A 403 is a token that may not write (a fork's read-only GITHUB_TOKEN): the check run would be refused too.
    if (errorStatus(error) === 403) throw error;
    // For good: say so on the check run (never leave the pull request without one).
    const summary = `The review stopped with an error: ${mdText((error as Error).message ?? String(error))}`;
    await publisher.failCheckRun("neutral", "eventlet-review could not finish", summary).catch((e: unknown) => {
      log.warn({ err: e }, "could not complete the check run");
    });
    throw classify(error, "reviewing the pull request");
  }
}

export interface CurrentHead {
  current: true;
  draft: boolean;
  snapshot: PullSnapshot;
  /** Holds the config and facts files the snapshot read. */
  blobs: BlobReader;
}

/**
 * Whether the job's revision is still the pull request's head. The file list GitHub returns is always
 * the current head's, so reviewing an older head would pair its contents with another diff: a job
 * that a newer push overtook (or a closed pull request) is skipped; the newer push has its own job.
 * Also returns the live draft flag (a pull request may have been converted since the event), and the
 * rest of the snapshot (snapshot.ts: one query for the config, facts files, threads and reviews).
 */
export async function currentHead(octokit: GithubOctokit, request: ReviewRequest): Promise<CurrentHead | { current: false; reason: string }> {
  const blobs = new BlobReader(octokit, request);
  let snapshot: PullSnapshot | undefined;
  try {
    snapshot = await readSnapshot(octokit, request, blobs);
  } catch (error) {
    throw classify(error, "reading the pull request");
  }
  if (!snapshot) return { current: false, reason: "not found" };
  if (!snapshot.open) return { current: false, reason: "closed" };
  if (snapshot.headSha !== request.headSha) return { current: false, reason: `superseded by ${snapshot.headSha.slice(0, 7)}` };
  return { current: true, draft: snapshot.draft, snapshot, blobs };
}
