/**
 * The platform-neutral review of one change: read the config from the base revision, analyze each
 * touched Python file of the new revision, keep the findings the change brings in.
 */
import { Analyzer } from "../analyzer/analyze.js";
import type { Finding, Notice } from "../model/finding.js";
import { defaultConfig, parseConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { fileFilter } from "../config/file-filter.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import { factsSummary } from "../facts/summary.js";
import type { ChangeSource } from "./change-source.js";
import { outcome, type Outcome } from "./fail-level.js";
import { BaseFindings, dropMoved } from "./moved.js";
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

export async function reviewChange(source: ChangeSource): Promise<ReviewResult> {
  const configText = await source.readBaseConfig();
  const config = configText === undefined ? defaultConfig() : parseConfig(configText);
  const keep = fileFilter(config);
  const files = (await source.listFiles()).filter((f) => f.status !== "removed" && keep(f.path));
  const changed = await source.changedLines();
  await source.prefetch?.(files.map((f) => f.path));

  const analyzer = new Analyzer(config, source);
  const readBase = source.readBaseText?.bind(source);
  const base = readBase ? new BaseFindings(config, { readText: readBase }) : undefined;
  const findings: Finding[] = [];
  const notices: Notice[] = [];
  for (const file of files) {
    const bytes = await source.readBytes(file.path);
    if (!bytes) {
      notices.push({ path: file.path, message: "could not read the file at the revision under review" });
      continue;
    }
    const result = await analyzer.analyzeBytes(file.path, bytes);
    notices.push(...result.notices);
    const scoped = scopeToChange(result.findings, changed);
    const lines = base && scoped.length > 0 ? new TextDecoder().decode(bytes).split(/\r?\n|\r/) : [];
    findings.push(...(await dropMoved(scoped, lines, changed, base, source)));
  }
  // Facts are best effort: a project whose requirement files cannot be read still gets its review.
  const factsLine = await factsSummary(analyzer.facts(), files.map((f) => f.path)).catch(() => undefined);
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
