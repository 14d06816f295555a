/** `{"findings": [...]}`: the stable machine-readable shape. */
import type { Finding, Notice } from "../model/finding.js";

export function jsonFinding(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rule: f.rule,
    name: f.name,
    severity: f.severity,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    message: f.message,
    section: { title: f.section.title, url: f.section.url },
  };
  if (f.related) out.related = f.related;
  if (f.fix) out.fix = f.fix;
  return out;
}

export function formatJson(findings: readonly Finding[], notices: readonly Notice[] = []): string {
  return JSON.stringify({ findings: findings.map(jsonFinding), notices }, null, 2);
}
