/**
 * reviewdog's Diagnostic Format (rdjson: `reviewdog -f=rdjson`), so reviewdog can post our findings on
 * any platform it serves. Safe fixes become suggestions.
 */
import type { Finding } from "../model/finding.js";

const SEVERITY = { error: "ERROR", warning: "WARNING", info: "INFO" } as const;

export function formatRdjson(findings: readonly Finding[]): string {
  return JSON.stringify(
    {
      source: { name: "eventlet-review" },
      diagnostics: findings.map((f) => ({
        message: f.message,
        location: {
          path: f.path,
          range: { start: { line: f.line, column: f.column }, end: { line: f.endLine, column: f.endColumn } },
        },
        severity: SEVERITY[f.severity],
        code: { value: f.rule, url: f.section.url },
        ...(f.fix?.safety === "safe"
          ? {
              suggestions: [
                {
                  // The fix replaces whole lines: from the start of the first to the end of the last.
                  range: { start: { line: f.fix.line, column: 1 }, end: { line: f.fix.endLine + 1, column: 1 } },
                  text: `${f.fix.replacement}\n`,
                },
              ],
            }
          : {}),
      })),
    },
    null,
    2,
  );
}
