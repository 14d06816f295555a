/** JUnit XML as Ruff writes it: one test suite per file, one failed test case per finding. */
import type { Finding } from "../model/finding.js";

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function formatJunit(findings: readonly Finding[]): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.path, [...(byFile.get(f.path) ?? []), f]);
  const suites = [...byFile].map(([path, list]) => {
    const cases = list.map(
      (f) =>
        `    <testcase name="org.eventlet-review.${f.rule}" classname="${xml(path)}" line="${f.line}" column="${f.column}">\n` +
        `      <failure message="${xml(f.message)}" type="${f.severity}">line ${f.line}, col ${f.column}, ${xml(`${f.rule} ${f.message}`)}</failure>\n` +
        "    </testcase>",
    );
    return `  <testsuite name="${xml(path)}" tests="${list.length}" failures="${list.length}" errors="0">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="eventlet-review" tests="${findings.length}" failures="${findings.length}" errors="0">`,
    ...suites,
    "</testsuites>",
  ].join("\n");
}
