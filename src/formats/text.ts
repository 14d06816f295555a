/** flake8-style lines with the severity word: `path:line:col: EVL104 [error] message`, then a count. */
import { SEVERITIES, type Finding } from "../model/finding.js";

export interface TextStyle {
  color: boolean;
}

const SEVERITY_COLOR = { error: "\x1b[31m", warning: "\x1b[33m", info: "\x1b[36m" } as const;
const RESET = "\x1b[0m";
const BOLD = "\x1b[1m";

export function formatTextFinding(f: Finding, style: TextStyle = { color: false }): string {
  if (!style.color) return `${f.path}:${f.line}:${f.column}: ${f.rule} [${f.severity}] ${f.message}`;
  const colour = SEVERITY_COLOR[f.severity];
  return `${BOLD}${f.path}${RESET}:${f.line}:${f.column}: ${colour}${f.rule}${RESET} [${colour}${f.severity}${RESET}] ${f.message}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The closing line: "Found 3 findings (2 errors, 1 warning) in 12 files." (`parsed`: "(4 parsed)" too). */
export function formatTextSummary(findings: readonly Finding[], files: number, parsed?: number): string {
  const where = `${plural(files, "file")}${parsed === undefined ? "" : ` (${parsed} parsed)`}`;
  if (!findings.length) return `No findings in ${where}.`;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => plural(n, severity));
  return `Found ${plural(findings.length, "finding")} (${bySeverity.join(", ")}) in ${where}.`;
}
