/** The one fail-level knob behind exit codes, check conclusions and votes. */
import { severityRank, type Finding, type Severity } from "../model/finding.js";

export type Outcome = "fail" | "findings" | "clean";

export function outcome(findings: readonly Finding[], failLevel: Severity): Outcome {
  if (findings.length === 0) return "clean";
  const threshold = severityRank(failLevel);
  return findings.some((f) => severityRank(f.severity) >= threshold) ? "fail" : "findings";
}
