/**
 * The platform-neutral review of one change: read the config from the base revision
 * (once; a caller that has it passes it in), analyze each
 * touched Python file of the new revision, keep the findings the change brings in. Matching and
 * analysis run in an AnalysisSandbox (a worker thread under a time budget): the change's author
 * chooses the paths and the contents.
 */
import type { Finding, Notice } from "../model/finding.js";
import { CachedProjectFiles } from "../python/project-files.js";
import { oversizeReason } from "../python/source.js";
import { pathProblem } from "../config/glob-safety.js";
import { defaultConfig, parseConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import { FileTooLarge, type ChangeSource } from "./change-source.js";
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
  filesReviewed: number;
  outcome: Outcome;
  /** What the project runs on, in one line ("threading: neutron/cmd; eventlet: neutron/tests"), when facts were found. */
  factsLine?: string;
}

/** The change's config: its base revision's `.eventlet-review.yaml`, else the defaults. Throws ConfigError. */
export async function readChangeConfig(source: Pick<ChangeSource, "readBaseConfig">): Promise<Config> {
  const text = await source.readBaseConfig();
  return text === undefined ? defaultConfig() : parseConfig(text);
}

export interface ReviewOptions {
  budget?: AnalysisBudget;
  /** The parsed config, when the caller has it (read to decide whether to review, or overridden). */
  config?: Config;
}

export async function reviewChange(source: ChangeSource, options: ReviewOptions = {}): Promise<ReviewResult> {
  const config = options.config ?? (await readChangeConfig(source));
  const sandbox = new AnalysisSandbox({ config, mode: "change" }, new CachedProjectFiles(source), options.budget ?? DEFAULT_BUDGET);
  try {
    return await reviewIn(sandbox, source, config);
  } finally {
    sandbox.close();
  }
}

async function reviewIn(sandbox: AnalysisSandbox, source: ChangeSource, config: Config): Promise<ReviewResult> {
  // The base revision is the target branch's code (trusted like the config): analyzed in this thread.
  const readBase = source.readBaseText?.bind(source);
  const base = readBase ? new BaseFindings(config, { readText: readBase }) : undefined;
  const findings: Finding[] = [];
  const notices: Notice[] = [];
  const files: string[] = [];
  for (const file of await source.listFiles()) {
    if (file.status === "removed") continue;
    const problem = pathProblem(file.path);
    if (problem) {
      notices.push({ path: file.path, message: problem });
      continue;
    }
    const kept = await sandbox.keep(file.path);
    if (!kept.ok) notices.push({ path: file.path, message: kept.notice });
    else if (kept.value) files.push(file.path);
  }
  const changed = await source.changedLines();
  // Size first: content fetches stop at max_file_bytes, and a file whose size the source knows is never fetched.
  const maxBytes = config.max_file_bytes;
  source.limitFileBytes?.(maxBytes);
  await source.prefetch?.(files);

  for (const path of files) {
    const size = await source.size?.(path);
    if (size !== undefined && size > maxBytes) {
      notices.push({ path, message: oversizeReason(size, maxBytes) });
      continue;
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes = await source.readBytes(path);
    } catch (error) {
      if (!(error instanceof FileTooLarge)) throw error;
      notices.push({ path, message: error.notice });
      continue;
    }
    if (!bytes) {
      notices.push({ path, message: "could not read the file at the revision under review" });
      continue;
    }
    const result = await sandbox.analyze(path, bytes);
    notices.push(...result.notices);
    const scoped = scopeToChange(result.findings, changed);
    const lines = base && scoped.length > 0 ? new TextDecoder().decode(bytes).split(/\r?\n|\r/) : [];
    findings.push(...(await dropMoved(scoped, lines, changed, base, source)));
  }
  const factsLine = await sandbox.factsLine(files);
  return {
    config,
    findings,
    notices,
    changed,
    filesReviewed: files.length,
    outcome: outcome(findings, config.fail_level),
    ...(factsLine ? { factsLine } : {}),
  };
}
