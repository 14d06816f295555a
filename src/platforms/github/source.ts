/**
 * A pull request as a ChangeSource: the file list (all pages), the lines each file adds (from GitHub's
 * per-file `patch`, or from both sides' contents when GitHub leaves the patch out), file contents at
 * the head SHA (batched through GraphQL) and the config at the base SHA.
 *
 * Everything is read from the base repository by SHA, which also holds a fork's commits, so fork pull
 * requests need no access to the fork.
 */
import { parentPackageInits } from "../../python/project-files.js";
import { CONFIG_FILE_NAMES } from "../../config/load.js";
import { ChangedLines } from "../../diff/changed-lines.js";
import { addedLinesOfHunks, removedLinesOfHunks } from "../../diff/unified.js";
import type { ChangedFile, ChangedFileStatus, ChangeSource } from "../../review/change-source.js";
import { addedLinesBetween } from "../../diff/line-diff.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;
/** Blobs per GraphQL query. */
const BLOB_BATCH = 50;

interface PullFile {
  filename: string;
  previous_filename?: string;
  status: string;
  changes: number;
  patch?: string;
}

interface BlobNode {
  text: string | null;
  isBinary: boolean | null;
  isTruncated: boolean;
}

const utf8 = new TextEncoder();
const textDecoder = new TextDecoder();

function fileStatus(status: string): ChangedFileStatus {
  switch (status) {
    case "added":
    case "removed":
    case "renamed":
    case "copied":
      return status;
    default:
      return "modified"; // "modified", "changed", "unchanged"
  }
}

export class GithubChangeSource implements ChangeSource {
  private files?: Promise<PullFile[]>;
  private baseConfig?: Promise<string | undefined>;
  private readonly head = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly baseTexts = new Map<string, Promise<string | undefined>>();
  private tree?: Promise<Set<string> | undefined>;
  private mergeBase?: Promise<string>;

  constructor(
    private readonly octokit: GithubOctokit,
    readonly pr: PullRequestRef,
  ) {}

  private pullFiles(): Promise<PullFile[]> {
    this.files ??= this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
      owner: this.pr.owner,
      repo: this.pr.repo,
      pull_number: this.pr.pullNumber,
      per_page: 100,
    }) as Promise<PullFile[]>;
    return this.files;
  }

  /** True when GitHub's list stopped at its limit, so later files were not reviewed. */
  async listTruncated(): Promise<boolean> {
    return (await this.pullFiles()).length >= MAX_LISTED_FILES;
  }

  async listFiles(): Promise<ChangedFile[]> {
    return (await this.pullFiles()).map((f) => ({
      path: f.filename,
      status: fileStatus(f.status),
      ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    }));
  }

  async changedLines(keep: (path: string) => boolean = () => true): Promise<ChangedLines> {
    const changed = new ChangedLines();
    const fallback: PullFile[] = [];
    for (const file of await this.pullFiles()) {
      // Removed text (also of deleted files) lets moved code be told from new code.
      if (file.patch !== undefined) changed.addRemoved(file.previous_filename ?? file.filename, removedLinesOfHunks(file.patch));
      if (file.status === "removed") continue;
      if (file.patch !== undefined) changed.addLines(file.filename, addedLinesOfHunks(file.patch));
      else if (file.changes === 0) changed.addLines(file.filename, []); // pure rename, mode change, binary
      else if (file.status === "added") changed.addWholeFile(file.filename);
      else if (keep(file.filename)) fallback.push(file);
    }
    if (fallback.length > 0) {
      const oldPaths = fallback.map((f) => f.previous_filename ?? f.filename);
      const [before] = await Promise.all([
        this.mergeBaseSha().then((sha) => this.fetchBlobs(sha, oldPaths)),
        this.prefetch(fallback.map((f) => f.filename)),
      ]);
      for (const [i, file] of fallback.entries()) {
        const after = await this.readBytes(file.filename);
        const old = before.get(oldPaths[i]);
        if (after === undefined) continue;
        if (old === undefined) changed.addWholeFile(file.filename);
        else changed.addLines(file.filename, addedLinesBetween(textDecoder.decode(old), textDecoder.decode(after)));
      }
    }
    return changed;
  }

  /**
   * What the pull request's own changes start from: the merge base of base and head (the compare API),
   * as GitHub's diff does. Diffing against `base.sha` would count the lines the base branch changed
   * since the pull request branched off as the pull request's own. One call, only for the fallback.
   */
  private mergeBaseSha(): Promise<string> {
    this.mergeBase ??= this.octokit.rest.repos
      .compareCommitsWithBasehead({ owner: this.pr.owner, repo: this.pr.repo, basehead: `${this.pr.baseSha}...${this.pr.headSha}`, per_page: 1 })
      .then(({ data }) => data.merge_base_commit?.sha ?? this.pr.baseSha);
    return this.mergeBase;
  }

  readBytes(path: string): Promise<Uint8Array | undefined> {
    let bytes = this.head.get(path);
    if (!bytes) {
      bytes = this.headPaths().then((paths) =>
        paths && !paths.has(path) ? undefined : this.fetchBlobs(this.pr.headSha, [path]).then((m) => m.get(path)),
      );
      this.head.set(path, bytes);
    }
    return bytes;
  }

  /**
   * Every file path at the head (one recursive tree call), so the analyzer's questions about files that
   * do not exist (`eventlet/__init__.py` is not part of most projects) cost no request. Undefined when
   * GitHub truncates the tree: then each path is asked for.
   */
  private headPaths(): Promise<Set<string> | undefined> {
    this.tree ??= this.octokit.rest.git
      .getTree({ owner: this.pr.owner, repo: this.pr.repo, tree_sha: this.pr.headSha, recursive: "true" })
      .then(({ data }) => (data.truncated ? undefined : new Set(data.tree.filter((e) => e.type === "blob").map((e) => e.path!))));
    return this.tree;
  }

  async readText(path: string): Promise<string | undefined> {
    const bytes = await this.readBytes(path);
    return bytes === undefined ? undefined : textDecoder.decode(bytes);
  }

  /** Fetches the files and the package `__init__.py` files above them in as few queries as possible. */
  async prefetch(paths: string[]): Promise<void> {
    const candidates = [...new Set(paths.flatMap((p) => [p, ...parentPackageInits(p)]))].filter((p) => !this.head.has(p));
    if (candidates.length === 0) return;
    const existing = await this.headPaths();
    const wanted = existing ? candidates.filter((p) => existing.has(p)) : candidates;
    for (const path of candidates) if (!wanted.includes(path)) this.head.set(path, Promise.resolve(undefined));
    if (wanted.length === 0) return;
    const blobs = this.fetchBlobs(this.pr.headSha, wanted);
    for (const path of wanted) this.head.set(path, blobs.then((m) => m.get(path)));
    await blobs;
  }

  readBaseText(path: string): Promise<string | undefined> {
    let text = this.baseTexts.get(path);
    if (!text) {
      text = this.fetchBlobs(this.pr.baseSha, [path]).then((m) => {
        const bytes = m.get(path);
        return bytes === undefined ? undefined : textDecoder.decode(bytes);
      });
      this.baseTexts.set(path, text);
    }
    return text;
  }

  readBaseConfig(): Promise<string | undefined> {
    this.baseConfig ??= this.fetchBlobs(this.pr.baseSha, CONFIG_FILE_NAMES).then((m) => {
      const bytes = CONFIG_FILE_NAMES.map((name) => m.get(name)).find((b) => b !== undefined);
      return bytes === undefined ? undefined : textDecoder.decode(bytes);
    });
    return this.baseConfig;
  }

  /** Blobs at `sha`, BLOB_BATCH per GraphQL query; binary and truncated ones come raw over REST. */
  private async fetchBlobs(sha: string, paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    const result = new Map<string, Uint8Array | undefined>();
    for (let start = 0; start < paths.length; start += BLOB_BATCH) {
      const batch = paths.slice(start, start + BLOB_BATCH);
      const variables: Record<string, string> = { owner: this.pr.owner, repo: this.pr.repo };
      batch.forEach((path, i) => (variables[`e${i}`] = `${sha}:${path}`));
      const declarations = batch.map((_, i) => `$e${i}: String!`).join(", ");
      const fields = batch.map((_, i) => `f${i}: object(expression: $e${i}) { ... on Blob { text isBinary isTruncated } }`);
      const query = `query EventletReviewBlobs($owner: String!, $repo: String!, ${declarations}) {
  repository(owner: $owner, name: $repo) {
    ${fields.join("\n    ")}
  }
}`;
      const data = await this.octokit.graphql<{ repository: Record<string, BlobNode | null> }>(query, variables);
      await Promise.all(
        batch.map(async (path, i) => {
          const blob = data.repository[`f${i}`];
          if (!blob) result.set(path, undefined);
          else if (blob.text !== null && !blob.isBinary && !blob.isTruncated) result.set(path, utf8.encode(blob.text));
          else result.set(path, await this.fetchRaw(sha, path));
        }),
      );
    }
    return result;
  }

  /** The exact bytes of one file (large, binary or not UTF-8). */
  private async fetchRaw(sha: string, path: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: this.pr.owner,
        repo: this.pr.repo,
        path,
        ref: sha,
        mediaType: { format: "raw" },
        request: { parseSuccessResponseBody: false },
      });
      const body = response.data as unknown;
      if (typeof body === "string") return utf8.encode(body);
      if (body instanceof ArrayBuffer) return new Uint8Array(body);
      return new Uint8Array(await new Response(body as ReadableStream).arrayBuffer());
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }
}
