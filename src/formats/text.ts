/** flake8-style lines with the severity word: `path:line:col: EVL104 [error] message`, then a count. */
import { styleText } from "node:util";
import { SEVERITIES, type Finding } from "../model/finding.js";

export interface TextStyle {
  /** The caller decides: a terminal, and NO_COLOR unset (src/cli/main.ts useColor). */
  color: boolean;
}

const SEVERITY_COLOR = { error: "red", warning: "yellow", info: "cyan" } as const;

/** Node ≥ 22.13 checks process.stdout itself unless told not to; the caller has already decided. */
const paint = (format: Parameters<typeof styleText>[0], text: string) => styleText(format, text, { validateStream: false });

export function formatTextFinding(f: Finding, style: TextStyle = { color: false }): string {
  if (!style.color) return `${f.path}:${f.line}:${f.column}: ${f.rule} [${f.severity}] ${f.message}`;
  const colour = SEVERITY_COLOR[f.severity];
  return `${paint("bold", f.path)}:${f.line}:${f.column}: ${paint(colour, f.rule)} [${paint(colour, f.severity)}] ${f.message}`;
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

/** Each finding with its source line and a caret under the span, as `flake8 --show-source` prints. */
export function formatTextWithSource(findings: readonly Finding[], sourceLines: readonly string[], style: TextStyle = { color: false }): string {
  return findings
    .map((f, i) => {
      const source = sourceLines[i] ?? "";
      const width = f.endLine === f.line ? Math.max(1, f.endColumn - f.column) : Math.max(1, [...source].length - f.column + 1);
      return `${formatTextFinding(f, style)}\n    ${source}\n    ${" ".repeat(f.column - 1)}${"^".repeat(width)}\n`;
    })
    .join("");
}

/** `--statistics`: one line a rule, most frequent first, as Ruff prints them. */
export function formatStatistics(findings: readonly Finding[]): string {
  const counts = new Map<string, { n: number; name: string; severity: string }>();
  for (const f of findings) {
    const entry = counts.get(f.rule) ?? { n: 0, name: f.name, severity: f.severity };
    entry.n++;
    counts.set(f.rule, entry);
  }
  const width = String(Math.max(0, ...[...counts.values()].map((c) => c.n))).length;
  return [...counts]
    .sort(([a, x], [b, y]) => y.n - x.n || a.localeCompare(b))
    .map(([rule, c]) => `${String(c.n).padStart(width)}\t${rule}\t[${c.severity}] ${c.name}\n`)
    .join("");
}
