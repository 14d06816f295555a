/** flake8-style lines: `path:line:col: EVL104 message`. */
import type { Finding } from "../model/finding.js";

export interface TextStyle {
  color: boolean;
}

const SEVERITY_COLOR = { error: "\x1b[31m", warning: "\x1b[33m", info: "\x1b[36m" } as const;
const RESET = "\x1b[0m";
const BOLD = "\x1b[1m";

export function formatTextFinding(f: Finding, style: TextStyle = { color: false }): string {
  if (!style.color) return `${f.path}:${f.line}:${f.column}: ${f.rule} ${f.message}`;
  return `${BOLD}${f.path}${RESET}:${f.line}:${f.column}: ${SEVERITY_COLOR[f.severity]}${f.rule}${RESET} ${f.message}`;
}
