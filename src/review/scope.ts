/**
 * Diff scoping: a finding belongs to a change when its own line, or one of its related lines (EVL101:
 * the code that now runs before the patch), was added by the change.
 */
import type { ChangedLines } from "../diff/changed-lines.js";
import type { Finding } from "../model/finding.js";

export function touchesChange(finding: Finding, changed: ChangedLines): boolean {
  if (changed.has(finding.path, finding.line)) return true;
  return (finding.related ?? []).some((r) => changed.has(r.path, r.line));
}

export function scopeToChange(findings: readonly Finding[], changed: ChangedLines): Finding[] {
  return findings.filter((f) => touchesChange(f, changed));
}

/**
 * Where a platform comment goes: the finding's own line when the change added it, else the first
 * added related line in the same file. Undefined when no line of this file can take the comment.
 */
export function commentLine(finding: Finding, changed: ChangedLines): number | undefined {
  if (changed.has(finding.path, finding.line)) return finding.line;
  return (finding.related ?? []).find((r) => r.path === finding.path && changed.has(r.path, r.line))?.line;
}
