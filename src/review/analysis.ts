/**
 * The analysis port: where reviewChange has a change's files matched against the config's globs and
 * analyzed. A platform's review runs it in an AnalysisSandbox (src/review/sandbox.ts: a worker thread
 * under a time budget, for the change's author chooses paths and contents); the CLI runs it on this
 * thread (InProcessAnalysis, below), behind its results cache (src/platforms/local/results-cache.ts).
 */
import { Analyzer, type FileResult } from "../analyzer/analyze.js";
import { fileFilter } from "../config/file-filter.js";
import type { Config } from "../config/schema.js";
import { factsSummary } from "../facts/summary.js";
import type { ProjectFiles } from "../python/project-files.js";
import type { AnalysisMode } from "../rules/types.js";

export interface AnalysisSetup {
  config: Config;
  /** `tree` for a whole tree under review (legacy migration findings at info), else `change`. */
  mode: AnalysisMode;
}

/** A result, or the notice that says why there is none (matching or analysis ran over budget, crashed). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; notice: string };

export interface Analysis {
  /** Whether the config's include/exclude globs keep `path`. */
  keep(path: string): Promise<Outcome<boolean>>;
  /**
   * The file's findings and notices; a file that cannot be analyzed becomes a notice. Rejects only
   * when no file can be analyzed any more. May take over `bytes` (a
   * worker thread is handed the buffer, not a copy).
   */
  analyze(path: string, bytes: Uint8Array): Promise<FileResult>;
  /**
   * Optional: `analyze` for a file of a whole tree on this machine's disk (ChangeSource.localFile),
   * read by the analysis itself (on another thread, say); `unread` says why a file was not read.
   */
  analyzeLocal?(path: string, file: string): Promise<FileResult | { unread: string }>;
  /** The review's facts line (best effort: undefined when it could not be computed). */
  factsLine(paths: string[]): Promise<string | undefined>;
  /** How many files may be in analysis at once (default 1); results still come back in order. */
  readonly window?: number;
  close(): void | Promise<void>;
}

/** Starts the analysis of one review: its setup, and the other files of the revision under review. */
export type StartAnalysis = (setup: AnalysisSetup, project: ProjectFiles) => Analysis;

/** The message of a file the analyzer threw on: one file must not cost the review of all the others. */
export function internalError(path: string, error: unknown): FileResult {
  const message = error instanceof Error ? error.message : String(error);
  return { findings: [], notices: [{ path, message: `internal error, file not analyzed: ${message}` }], parsed: false };
}

/** The analysis on this thread, with no time budget: for code its own user runs it on (the CLI). */
export class InProcessAnalysis implements Analysis {
  private built?: Analyzer;
  private readonly filter: (path: string) => boolean;

  constructor(
    private readonly analysisSetup: AnalysisSetup,
    private readonly project: ProjectFiles,
  ) {
    this.filter = fileFilter(analysisSetup.config);
  }

  /** Built on first use: a second run over a cached tree analyzes nothing and needs none. */
  protected get analyzer(): Analyzer {
    this.built ??= new Analyzer(this.analysisSetup.config, this.project, undefined, { mode: this.analysisSetup.mode });
    return this.built;
  }

  async keep(path: string): Promise<Outcome<boolean>> {
    return { ok: true, value: this.filter(path) };
  }

  analyze(path: string, bytes: Uint8Array): Promise<FileResult> {
    return this.analyzer.analyzeBytes(path, bytes).catch((error: unknown) => internalError(path, error));
  }

  factsLine(paths: string[]): Promise<string | undefined> {
    return factsSummary(this.analyzer.facts(), paths).catch(() => undefined);
  }

  close(): void | Promise<void> {}
}
