/**
 * The seam between the platform-neutral review and each platform (CLI, GitHub, Gerrit): a
 * ChangeSource says what a change touches and serves file contents. Publishing is each platform's own.
 */
import type { ProjectFiles } from "../python/project-files.js";
import type { ChangedLines } from "../diff/changed-lines.js";

export type ChangedFileStatus = "added" | "modified" | "renamed" | "removed" | "copied";

export interface ChangedFile {
  /** Path at the revision under review (`/`-separated, repository-relative). */
  path: string;
  previousPath?: string;
  status: ChangedFileStatus;
}

export interface ChangeSource extends ProjectFiles {
  /** Every file the change touches (all pages). */
  listFiles(): Promise<ChangedFile[]>;
  /** The new-side lines the change adds, per file; files `keep` refuses may be left out (saves fetching them). */
  changedLines(keep?: (path: string) => boolean): Promise<ChangedLines>;
  /** Raw bytes of a file at the revision under review (undefined when absent). */
  readBytes(path: string): Promise<Uint8Array | undefined>;
  /**
   * `.eventlet-review.yaml` (or `.yml`) text at the base revision (pull request base, change's target
   * branch), never from the change itself, so a change cannot silence the review.
   */
  readBaseConfig(): Promise<string | undefined>;
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
}
