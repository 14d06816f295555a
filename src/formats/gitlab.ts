/**
 * GitLab Code Quality (a JSON array of issues, shown on merge requests). GitLab matches issues across
 * pipelines by `fingerprint`, so it must not contain the line number: rule, path and message text, with
 * an occurrence count for repeats, as the platforms' comment fingerprints do.
 */
import type { Finding } from "../model/finding.js";
import { fingerprints } from "../review/fingerprint.js";

const SEVERITY = { error: "major", warning: "minor", info: "info" } as const;

export function formatGitlab(findings: readonly Finding[]): string {
  const ids = fingerprints(findings, (f) => f.message);
  return JSON.stringify(
    findings.map((f, i) => ({
      description: `${f.rule} ${f.message}`,
      check_name: f.rule,
      fingerprint: ids[i],
      severity: SEVERITY[f.severity],
      location: { path: f.path, lines: { begin: f.line, end: f.endLine } },
    })),
    null,
    2,
  );
}
