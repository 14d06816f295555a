/** `eventlet-review facts`: the facts report as text (one line per fact, with its source) or JSON. */
import { describeRange, describeSource, describeVersionSource } from "../facts/describe.js";
import { seriesPins } from "../facts/series.js";
import { sameDistribution } from "../facts/distribution.js";
import { summaryLine, type FactsReport } from "../facts/summary.js";
import { TRACKED_PACKAGES } from "../facts/versions.js";

export function formatFactsText(report: FactsReport): string {
  const out: string[] = [];
  const own = report.distribution;
  if (own) out.push(`project: ${own.name}  ${describeSource(own.source)}  (findings about its own modules and options are silent)`);
  const series = report.series;
  if (series) out.push(`series: ${series.series}  ${describeSource(series.source)}  (upper-constraints pins as of ${seriesPins(series.series)?.asOf})`);
  out.push("versions:");
  for (const pkg of TRACKED_PACKAGES) {
    const v = report.versions[pkg];
    if (!v && own && sameDistribution(own.name, pkg)) out.push(`  ${pkg.padEnd(15)} this project`);
    else if (!v) out.push(`  ${pkg.padEnd(15)} unknown (no requirement found; pin it under versions: in ${report.configPath})`);
    else out.push(`  ${pkg.padEnd(15)} ${describeRange(v, true).padEnd(12)} ${describeVersionSource(v)}  ${v.requirement}`);
  }
  out.push("concurrency:");
  if (report.configured.length === 0 && report.scopes.length === 0) out.push("  unknown everywhere (no init_backend() call, no monkey patch, no concurrency: in the config)");
  for (const c of report.configured) out.push(`  ${c.glob.padEnd(30)} ${c.model.padEnd(10)} ${report.configPath} (concurrency)`);
  for (const s of report.scopes) {
    for (const d of s.declarations) out.push(`  ${s.scope.padEnd(30)} ${d.model.padEnd(10)} ${d.path}:${d.line}  ${d.how}`);
  }
  const p = report.programs;
  if (p) {
    const scope = `${p.packages.join(", ")} (library code)`;
    out.push(`  ${scope.padEnd(30)} ${p.model.padEnd(10)} every program that picks a model picks it (${p.programs} in ${p.sources.join(" and ")}; first: ${p.path}:${p.line})`);
  }
  const line = summaryLine(report);
  if (line) out.push(`summary: ${line}`);
  return `${out.join("\n")}\n`;
}

export function formatFactsJson(report: FactsReport): string {
  const programs = report.programs ? { programs: report.programs } : {};
  return JSON.stringify(
    { distribution: report.distribution ?? null, series: report.series ?? null, versions: report.versions, concurrency: report.scopes, configured: report.configured, ...programs, summary: summaryLine(report) ?? null },
    null,
    2,
  );
}
