/** The body of one inline comment, shared by every platform: rule, message, spec link, suggestion. */
import type { Finding } from "../model/finding.js";

export interface CommentOptions {
  /** Markdown (GitHub, Gerrit ≥ 3.x renders it too) with a ```suggestion fence for safe fixes. */
  suggestions: boolean;
}

export function commentBody(f: Finding, options: CommentOptions = { suggestions: true }): string {
  const lines = [`**${f.rule} ${f.name}** (${f.severity}): ${f.message}`, "", `See [${f.section.title}](${f.section.url}).`];
  if (options.suggestions && f.fix?.safety === "safe") {
    lines.push("", "```suggestion", f.fix.replacement, "```");
  }
  return lines.join("\n");
}

/** A one-line summary table row set for check runs and review messages. */
export function summaryTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return "No findings on the lines this change adds.";
  const byRule = new Map<string, { name: string; severity: string; count: number; url: string }>();
  for (const f of findings) {
    const row = byRule.get(f.rule) ?? { name: f.name, severity: f.severity, count: 0, url: f.section.url };
    row.count++;
    byRule.set(f.rule, row);
  }
  const rows = [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, r]) => `| ${rule} | ${r.name} | ${r.severity} | ${r.count} | [spec](${r.url}) |`);
  return ["| rule | name | severity | findings | section |", "|---|---|---|---|---|", ...rows].join("\n");
}
