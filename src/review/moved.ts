/**
 * Moved code is not new code. A change that moves a patch call from one file to another (heat moving a
 * time-only patch out of library code into its tests, designate moving its command package) shows the
 * line as added, and diff scoping would report it as if the change had written it. A finding whose added
 * lines are all text the change removed elsewhere, and which the base revision already had on that text,
 * was there before the change: it is dropped. The base finding is computed, not assumed: moving a patch
 * into a WSGI module, or moving an import above the patch in one file, creates a finding the base did not
 * have, and an import the change writes above a patch is a new cause; those stay.
 */
import { Analyzer } from "../analyzer/analyze.js";
import type { Config } from "../config/schema.js";
import { lineKey, type ChangedLines } from "../diff/changed-lines.js";
import type { Finding } from "../model/finding.js";
import type { ProjectFiles } from "../python/project-files.js";

/** The base revision's findings per file, keyed by rule and line text; computed once per file. */
export class BaseFindings {
  private readonly analyzer: Analyzer;
  private readonly cache = new Map<string, Promise<Set<string>>>();

  constructor(
    config: Config,
    private readonly base: ProjectFiles,
  ) {
    // Change mode, like the review: the same rules at the same severities see the old text.
    this.analyzer = new Analyzer(config, base, undefined, { mode: "change" });
  }

  /** `rule + line text` of every finding the base revision has in `path`. */
  keys(path: string): Promise<Set<string>> {
    let keys = this.cache.get(path);
    if (!keys) {
      keys = this.compute(path).catch(() => new Set<string>());
      this.cache.set(path, keys);
    }
    return keys;
  }

  private async compute(path: string): Promise<Set<string>> {
    const text = await this.base.readText(path);
    if (text === undefined) return new Set();
    const lines = text.split(/\r?\n|\r/);
    const result = await this.analyzer.analyzeBytes(path, new TextEncoder().encode(text));
    return new Set(result.findings.map((f) => key(f.rule, lines[f.line - 1] ?? "")));
  }
}

function key(rule: string, text: string): string {
  return `${rule}\u0000${lineKey(text)}`;
}

/**
 * Drops the findings of one file (`lines`: its text at the revision under review) that the change only
 * moved: every line of the finding the change adds (its own, its related ones) has its text removed
 * somewhere in the change, and the base revision has the same rule's finding on the same text, in the
 * file the line came from (any file that lost that text when the line itself is added, else its own).
 * `head` reads the other files of the revision under review (a related line in a parent `__init__.py`).
 */
export async function dropMoved(
  findings: Finding[],
  lines: readonly string[],
  changed: ChangedLines,
  base: BaseFindings | undefined,
  head: ProjectFiles,
): Promise<Finding[]> {
  if (!base || findings.length === 0) return findings;
  const other = new Map<string, Promise<string[]>>();
  const lineOf = async (path: string, line: number): Promise<string> => {
    if (path === findings[0].path) return lines[line - 1] ?? "";
    let text = other.get(path);
    if (!text) {
      text = head.readText(path).then((t) => (t ?? "").split(/\r?\n|\r/));
      other.set(path, text);
    }
    return (await text)[line - 1] ?? "";
  };
  const kept: Finding[] = [];
  for (const finding of findings) {
    if (!(await onlyMoved(finding, changed, base, lineOf))) kept.push(finding);
  }
  return kept;
}

async function onlyMoved(
  finding: Finding,
  changed: ChangedLines,
  base: BaseFindings,
  lineOf: (path: string, line: number) => Promise<string>,
): Promise<boolean> {
  // A related line the change writes (an import inserted above the patch) is a new cause.
  for (const r of finding.related ?? []) {
    if (changed.has(r.path, r.line) && changed.removedFrom(await lineOf(r.path, r.line)).length === 0) return false;
  }
  const text = await lineOf(finding.path, finding.line);
  const origins = changed.has(finding.path, finding.line) ? changed.removedFrom(text) : [finding.path];
  for (const origin of origins) {
    if ((await base.keys(origin)).has(key(finding.rule, text))) return true;
  }
  return false;
}
