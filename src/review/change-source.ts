/**
 * The seam between the platform-neutral review and each platform (CLI, GitHub, Gerrit): a
 * ChangeSource says what a change touches and serves file contents. Publishing is each platform's own.
 * The CLI's whole-tree check is a change too: one that adds every file it walks (`walk`).
 */
import type { ProjectFiles } from "../python/project-files.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import type { Notice } from "../model/finding.js";

export type ChangedFileStatus = "added" | "modified" | "renamed" | "removed" | "copied";

export interface ChangedFile {
  /** Path at the revision under review (`/`-separated, repository-relative). */
  path: string;
  previousPath?: string;
  status: ChangedFileStatus;
}

/** A config candidate: its path in the repository (CONFIG_SOURCES names one) and its text. */
export interface ConfigFile {
  name: string;
  text: string;
}

export interface ChangeSource extends ProjectFiles {
  /** Every file the change touches (all pages). */
  listFiles(): Promise<ChangedFile[]>;
  /** The new-side lines the change adds, per file; files `keep` refuses may be left out (saves fetching them). */
  changedLines(keep?: (path: string) => boolean): Promise<ChangedLines>;
  /** Raw bytes of a file at the revision under review (undefined when absent). */
  readBytes(path: string): Promise<Uint8Array | undefined>;
  /**
   * The config files at the base revision (pull request base, change's target branch), never from the
   * change itself, so a change cannot silence the review: those of CONFIG_SOURCES (config/sources.ts:
   * `.eventlet-review.yaml`/`.yml`, pyproject.toml, setup.cfg, tox.ini) that exist, in that order.
   * `readChangeConfig` takes the first that holds our settings, as the CLI does in a checkout.
   */
  readBaseConfig(): Promise<ConfigFile[]>;
  /**
   * Optional: a file's text at the base revision, so a finding the change only moved (the base had it
   * on the removed line) is not reported as new (src/review/moved.ts). Without it every added line is new.
   */
  readBaseText?(path: string): Promise<string | undefined>;
  /**
   * Optional: a file's size in bytes at the revision under review, known without downloading all of it,
   * so a file over `max_file_bytes` is never fetched in full (undefined: unknown, or no such file).
   */
  size?(path: string): Promise<number | undefined>;
  /** Optional: fetch several files in one round trip before the analysis reads them one by one. */
  prefetch?(paths: string[]): Promise<void>;
  /**
   * Optional: from now on, stop any content fetch past `maxBytes` (a cut-off stream): `readBytes` throws
   * FileTooLarge, and `readText` answers undefined. reviewChange calls it with `max_file_bytes`.
   */
  limitFileBytes?(maxBytes: number): void;
  /**
   * Optional, for a whole tree under review: the files to review, streamed as they are found so the
   * analysis starts while the walk goes on, already filtered by the config (or chosen by the user);
   * `notice` takes what could not be listed. Every line of each file counts as new. With it,
   * listFiles, changedLines and readBaseText are not used.
   */
  walk?(notice: (notice: Notice) => void): AsyncIterable<string> | Iterable<string>;
  /** Optional: how many reads may run ahead of the analysis (a local disk hides its latency so; default 1). */
  readonly readAhead?: number;
  /** Optional: readBytes that may skip a file, with a notice saying why or silently (no notice). */
  readForReview?(path: string): Promise<{ bytes: Uint8Array } | { notice?: string }>;
  /**
   * Optional, with `walk`: where the file lies on this machine's disk, for an analysis that reads it
   * itself (Analysis.analyzeLocal), by readForReview's rules.
   */
  localFile?(path: string): string;
}

/** A file over `max_file_bytes`, found before or while it was fetched: it becomes a notice, never bytes in memory. */
export class FileTooLarge extends Error {
  constructor(
    readonly path: string,
    readonly limit: number,
    /** The size when known (a declared size, a file list); else only "more than the limit". */
    readonly size?: number,
  ) {
    super(`${path}: ${size === undefined ? "more than" : `${size} bytes is over`} the ${limit}-byte limit (max_file_bytes)`);
    this.name = "FileTooLarge";
  }

  /** The notice, worded as the analyzer words it (python/source.ts oversizeReason). */
  get notice(): string {
    return `skipped: ${this.size === undefined ? "more than" : `${this.size} bytes is over`} the ${this.limit}-byte limit (max_file_bytes)`;
  }
}
