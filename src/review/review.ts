/**
 * The platform-neutral review of one change, for every front end (GitHub, Gerrit, the CLI): read the
 * config from the base revision (once; a caller that has it passes it in), analyze each touched
 * Python file of the new revision, keep the findings the change brings in. Matching and analysis run
 * behind the analysis port (src/review/analysis.ts): by default an AnalysisSandbox (a worker thread
 * under a time budget), for the change's author chooses the paths and the contents.
 */
import type { FileResult } from "../analyzer/analyze.js";
import type { Finding, Notice } from "../model/finding.js";
import { CachedProjectFiles } from "../python/project-files.js";
import { oversizeReason } from "../python/source.js";
import { pathProblem } from "../config/glob-safety.js";
import { CONFIG_FILE_NAMES, defaultConfig } from "../config/defaults.js";
import type { Config } from "../config/schema.js";
import { ChangedLines } from "../diff/changed-lines.js";
import type { Analysis, StartAnalysis } from "./analysis.js";
import { FileTooLarge, type ChangedFile, type ChangeSource } from "./change-source.js";
import { outcome, type Outcome } from "./fail-level.js";
import { BaseFindings, dropMoved } from "./moved.js";
import { AnalysisSandbox, DEFAULT_BUDGET, type AnalysisBudget } from "./sandbox.js";
import { scopeToChange } from "./scope.js";

export interface ReviewResult {
  config: Config;
  /** Findings on lines the change adds (or whose related lines it adds). */
  findings: Finding[];
  notices: Notice[];
  changed: ChangedLines;
  /** Files the config keeps (read or not). */
  filesReviewed: number;
  /** Files handed to the analysis, and how many of them the pre-filter let through to the parser (reviewChange sets both; summaries do not need them). */
  filesAnalyzed?: number;
  filesParsed?: number;
  outcome: Outcome;
  /** What the project runs on, in one line ("threading: neutron/cmd; eventlet: neutron/tests"), when facts were found. */
  factsLine?: string;
}

/**
 * The config of a change: the first of the base revision's config files that holds our settings (one
 * source, never merged), each error naming its file; the defaults when none does.
 */
export async function readChangeConfig(source: Pick<ChangeSource, "readBaseConfig">): Promise<Config> {
  const files = await source.readBaseConfig();
  if (!files.length) return defaultConfig();
  // The parsers and the validator load only for a config to parse.
  const { CONFIG_SOURCES, configFromFile } = await import("../config/sources.js");
  for (const file of files) {
    const base = file.name.slice(file.name.lastIndexOf("/") + 1);
    // A path of the caller's choosing (the Action's `config` input) that is none of ours is YAML.
    const kind = CONFIG_SOURCES.includes(base) ? base : CONFIG_FILE_NAMES[0]!;
    const config = configFromFile(kind, file.text, file.name);
    if (config) return config;
  }
  return defaultConfig();
}

export interface ReviewOptions {
  budget?: AnalysisBudget;
  /** The parsed config, when the caller has it (read to decide whether to review, or overridden). */
  config?: Config;
  /** Where the files are matched and analyzed (default: an AnalysisSandbox under `budget`). */
  analysis?: StartAnalysis;
  /** Compute the facts line (default true; the CLI prints none). */
  facts?: boolean;
  /** Called after each file analyzed, with the counts so far. */
  onProgress?: (filesAnalyzed: number, findings: number) => void;
}

export async function reviewChange(source: ChangeSource, options: ReviewOptions = {}): Promise<ReviewResult> {
  const config = options.config ?? (await readChangeConfig(source));
  const setup = { config, mode: source.walk ? ("tree" as const) : ("change" as const) };
  const analysis = options.analysis
    ? options.analysis(setup, source)
    : new AnalysisSandbox(setup, new CachedProjectFiles(source), options.budget ?? DEFAULT_BUDGET);
  try {
    return await reviewIn(analysis, source, config, options);
  } finally {
    await analysis.close();
  }
}

/** The paths of `listed` the config keeps; a path too long to match, or matching over budget, is a notice. */
async function* keptPaths(listed: ChangedFile[], analysis: Analysis, notices: Notice[]): AsyncGenerator<string> {
  for (const file of listed) {
    if (file.status === "removed") continue;
    const problem = pathProblem(file.path);
    if (problem) {
      notices.push({ path: file.path, message: problem });
      continue;
    }
    const kept = await analysis.keep(file.path);
    if (!kept.ok) notices.push({ path: file.path, message: kept.notice });
    else if (kept.value) yield file.path;
  }
}

type Read = { path: string; bytes: Uint8Array } | { path: string; notice?: string } | { path: string; local: string };

/** Starts up to `ahead` reads before they are needed, yielding them in order. */
async function* readAhead(paths: AsyncIterable<string> | Iterable<string>, ahead: number, read: (path: string) => Promise<Read>): AsyncGenerator<Read> {
  const pending: Promise<Read>[] = [];
  for await (const path of paths) {
    pending.push(read(path));
    if (pending.length >= ahead) yield await pending.shift()!;
  }
  while (pending.length) yield await pending.shift()!;
}

async function reviewIn(analysis: Analysis, source: ChangeSource, config: Config, options: ReviewOptions): Promise<ReviewResult> {
  const findings: Finding[] = [];
  const notices: Notice[] = [];
  const files: string[] = [];
  let changed: ChangedLines;
  let paths: AsyncIterable<string> | string[];
  let base: BaseFindings | undefined;
  // Size first: content fetches stop at max_file_bytes, and a file whose size the source knows is never fetched.
  const maxBytes = config.max_file_bytes;
  const walk = source.walk?.bind(source);
  if (walk) {
    source.limitFileBytes?.(maxBytes);
    // A whole tree: every file it yields is wholly new, so there is nothing to scope or to have moved.
    changed = new ChangedLines();
    paths = (async function* () {
      for await (const path of walk((notice) => notices.push(notice))) {
        files.push(path);
        changed.addWholeFile(path);
        yield path;
      }
    })();
  } else {
    // The base revision is the target branch's code (trusted like the config): analyzed in this thread.
    const readBase = source.readBaseText?.bind(source);
    base = readBase ? new BaseFindings(config, { readText: readBase }) : undefined;
    for await (const path of keptPaths(await source.listFiles(), analysis, notices)) files.push(path);
    // Files the config refuses are never diffed (nor fetched, where the diff is fetched per file).
    const kept = new Set(files);
    changed = await source.changedLines((path) => kept.has(path));
    source.limitFileBytes?.(maxBytes);
    await source.prefetch?.(files);
    paths = files;
  }

  // A whole tree on this machine's disk, and an analysis that reads files itself: it is handed paths.
  const analyzeLocal = walk && source.localFile && analysis.analyzeLocal?.bind(analysis);
  const read = async (path: string): Promise<Read> => {
    if (analyzeLocal) return { path, local: source.localFile!(path) };
    const size = await source.size?.(path);
    if (size !== undefined && size > maxBytes) return { path, notice: oversizeReason(size, maxBytes) };
    if (source.readForReview) return { path, ...(await source.readForReview(path)) };
    let bytes: Uint8Array | undefined;
    try {
      bytes = await source.readBytes(path);
    } catch (error) {
      if (!(error instanceof FileTooLarge)) throw error;
      return { path, notice: error.notice };
    }
    return bytes ? { path, bytes } : { path, notice: "could not read the file at the revision under review" };
  };
  let filesAnalyzed = 0;
  let filesParsed = 0;
  // Files go out to the analysis as they are read (up to `window` at once) and come back in order.
  const window = analysis.window ?? 1;
  type Item = { path: string; notice?: string; text?: string; analyzed?: Promise<FileResult | { unread: string } | { failed: unknown }> };
  const inFlight: Item[] = [];
  /** The items of inFlight in analysis (not notices waiting their turn). */
  let analyzing = 0;
  const settle = async (item: Item) => {
    if (!item.analyzed) {
      if (item.notice) notices.push({ path: item.path, message: item.notice });
      return;
    }
    analyzing--;
    const result = await item.analyzed;
    if ("failed" in result) throw result.failed;
    if ("unread" in result) {
      notices.push({ path: item.path, message: result.unread });
      return;
    }
    filesAnalyzed++;
    if (result.parsed) filesParsed++;
    notices.push(...result.notices);
    if (walk) findings.push(...result.findings);
    else {
      const scoped = scopeToChange(result.findings, changed);
      const lines = item.text !== undefined && scoped.length > 0 ? item.text.split(/\r?\n|\r/) : [];
      findings.push(...(await dropMoved(scoped, lines, changed, base, source)));
    }
    options.onProgress?.(filesAnalyzed, findings.length);
  };
  for await (const file of readAhead(paths, analyzeLocal ? 1 : (source.readAhead ?? 1), read)) {
    if ("local" in file) {
      inFlight.push({ path: file.path, analyzed: analyzeLocal!(file.path, file.local).catch((failed: unknown) => ({ failed })) });
      analyzing++;
    } else if (!("bytes" in file)) inFlight.push({ path: file.path, notice: file.notice });
    else {
      // Decoded before the analysis may take the bytes: moved-code detection reads the lines.
      const text = base ? new TextDecoder().decode(file.bytes) : undefined;
      // Held as a value until settled, so a failure waiting its turn is not an unhandled rejection.
      const analyzed = analysis.analyze(file.path, file.bytes).catch((failed: unknown) => ({ failed }));
      inFlight.push({ path: file.path, text, analyzed });
      analyzing++;
    }
    while (analyzing >= window || (inFlight.length && !inFlight[0].analyzed)) await settle(inFlight.shift()!);
  }
  while (inFlight.length) await settle(inFlight.shift()!);

  const factsLine = options.facts === false ? undefined : await analysis.factsLine(files);
  return {
    config,
    findings,
    notices,
    changed,
    filesReviewed: files.length,
    filesAnalyzed,
    filesParsed,
    outcome: outcome(findings, config.fail_level),
    ...(factsLine ? { factsLine } : {}),
  };
}
