/**
 * GitHub Actions workflow commands (`::error file=…,line=…::message`), which the runner turns into
 * annotations on the pull request without any token. Escaping follows @actions/core's command.ts.
 */
import type { Finding } from "../model/finding.js";

const LEVEL = { error: "error", warning: "warning", info: "notice" } as const;

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const props = [
        `file=${escapeProperty(f.path)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(`${f.rule} ${f.name}`)}`,
      ];
      return `::${LEVEL[f.severity]} ${props.join(",")}::${escapeData(`${f.rule} ${f.message}`)}`;
    })
    .join("\n");
}
