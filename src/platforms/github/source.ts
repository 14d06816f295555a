/**
 * A pull request as a ChangeSource: the file list (all pages), the lines each file adds (from GitHub's
 * per-file `patch`, or from both sides' contents when GitHub leaves the patch out), file contents at
 * the head SHA and the config at the base SHA, all through a BlobReader (blobs.ts: 100 files a GraphQL
 * query, size first; past 100 files of one SHA, one repository tarball, archive.ts). An added file's
 * content is its patch: it costs no request at all.
 *
 * Everything is read from the base repository by SHA, which also holds a fork's commits, so fork pull
 * requests need no access to the fork.
 */
import { parentPackageInits } from "../../python/project-files.js";
import { CONFIG_SOURCES } from "../../config/sources.js";
import { ChangedLines } from "../../diff/changed-lines.js";
import { addedFileText, addedLinesOfHunks, removedLinesOfHunks } from "../../diff/unified.js";
import { FileTooLarge, type ChangedFile, type ChangedFileStatus, type ChangeSource, type ConfigFile } from "../../review/change-source.js";
import { addedLinesBetween } from "../../diff/line-diff.js";
import { BlobReader } from "./blobs.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;

interface PullFile {
  filename: string;
  previous_filename?: string;
  status: string;
  changes: number;
  patch?: string;
}

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
  private mergeBase?: Promise<string>;
  /** Every read of file contents (shared with the pull request snapshot, which seeds it). */
  readonly blobs: BlobReader;

  constructor(
    private readonly octokit: GithubOctokit,
    readonly pr: PullRequestRef,
    blobs?: BlobReader,
  ) {
    this.blobs = blobs ?? new BlobReader(octokit, pr);
  }

  /** Files past this size are not downloaded (the config's `max_file_bytes`); `size` still says how big. */
  limitFileBytes(maxBytes: number): void {
    this.blobs.maxBytes = maxBytes;
  }

  private pullFiles(): Promise<PullFile[]> {
    this.files ??= (
      this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
        owner: this.pr.owner,
        repo: this.pr.repo,
        pull_number: this.pr.pullNumber,
        per_page: 100,
      }) as Promise<PullFile[]>
    ).then((files) => {
      for (const file of files) {
        if (file.status !== "added" || file.patch === undefined || this.blobs.has(this.pr.headSha, file.filename)) continue;
        const text = addedFileText(file.patch);
        // U+FFFD: GitHub turned bytes that are not UTF-8 into it; the blob has the real ones.
        if (text !== undefined && !text.includes("\uFFFD")) this.blobs.seedText(this.pr.headSha, file.filename, text);
      }
      return files;
    });
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
        this.mergeBaseSha().then((sha) => this.blobs.readMany(sha, oldPaths)),
        this.prefetch(fallback.map((f) => f.filename)),
      ]);
      for (const [i, file] of fallback.entries()) {
        const after = (await this.blobs.read(this.pr.headSha, file.filename))?.bytes; // none past the size limit
        const old = before.get(oldPaths[i])?.bytes;
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

  async readBytes(path: string): Promise<Uint8Array | undefined> {
    await this.files; // an added file's patch is its content
    const blob = await this.blobs.read(this.pr.headSha, path);
    if (blob && !blob.bytes) throw new FileTooLarge(path, this.blobs.maxBytes, blob.byteSize);
    return blob?.bytes;
  }

  /** The file's size at the head, known before (and without) downloading it past `maxFileBytes`. */
  async size(path: string): Promise<number | undefined> {
    await this.files;
    return (await this.blobs.read(this.pr.headSha, path))?.byteSize;
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      const bytes = await this.readBytes(path);
      return bytes === undefined ? undefined : textDecoder.decode(bytes);
    } catch (error) {
      if (error instanceof FileTooLarge) return undefined; // as the contract says: too large reads as absent
      throw error;
    }
  }

  /** Asks for the files and the package `__init__.py` files above them at once (100 a query). */
  async prefetch(paths: string[]): Promise<void> {
    await this.files;
    const wanted = [...new Set(paths.flatMap((p) => [p, ...parentPackageInits(p)]))];
    await this.blobs.readMany(this.pr.headSha, wanted);
  }

  async readBaseText(path: string): Promise<string | undefined> {
    const bytes = (await this.blobs.read(this.pr.baseSha, path))?.bytes;
    return bytes === undefined ? undefined : textDecoder.decode(bytes);
  }

  /** Every config candidate in one read (the snapshot's query already holds them: no call at all). */
  async readBaseConfig(): Promise<ConfigFile[]> {
    const found = await this.blobs.readMany(this.pr.baseSha, CONFIG_SOURCES);
    return CONFIG_SOURCES.flatMap((name) => {
      const bytes = found.get(name)?.bytes;
      return bytes === undefined ? [] : [{ name, text: textDecoder.decode(bytes) }];
    });
  }
}
