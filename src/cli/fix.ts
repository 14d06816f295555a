/**
 * `--fix`: apply the fixes marked safe (Ruff's rule: unsafe ones are only ever shown), or with `--diff`
 * print them as a unified diff and touch nothing. Each fix replaces whole lines of its finding.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { RootedFinding } from "./source-lines.js";

export interface FixReport {
  applied: number;
  files: number;
  /** With `preview`: the unified diff of every file the fixes would change. */
  diff: string;
}

export async function applySafeFixes(findings: readonly RootedFinding[], directoryOf: (root: string) => string, preview: boolean): Promise<FixReport> {
  const byFile = new Map<string, { display: string; fixes: NonNullable<RootedFinding["fix"]>[] }>();
  for (const f of findings) {
    if (f.fix?.safety !== "safe") continue;
    const file = join(directoryOf(f.root), ...f.path.split("/"));
    const entry = byFile.get(file) ?? { display: f.path, fixes: [] };
    entry.fixes.push(f.fix);
    byFile.set(file, entry);
  }
  const report: FixReport = { applied: 0, files: 0, diff: "" };
  for (const [file, { display, fixes }] of byFile) {
    const before = await readFile(file, "utf8");
    const eol = before.includes("\r\n") ? "\r\n" : "\n";
    const lines = before.split(/\r?\n/);
    let lastStart = Infinity;
    // Bottom up, so earlier line numbers stay valid; a fix overlapping one already applied is skipped.
    for (const fix of [...fixes].sort((a, b) => b.line - a.line)) {
      if (fix.endLine >= lastStart) continue;
      lines.splice(fix.line - 1, fix.endLine - fix.line + 1, ...fix.replacement.split("\n"));
      lastStart = fix.line;
      report.applied++;
    }
    const after = lines.join(eol);
    if (after === before) continue;
    report.files++;
    if (preview) report.diff += createTwoFilesPatch(`a/${display}`, `b/${display}`, before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, "");
    else await writeFile(file, after);
  }
  return report;
}
