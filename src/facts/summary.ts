/**
 * The versions and concurrency models a project runs, each with the file and line it came from
 * (`eventlet-review facts PATH`), and the one-line summary the GitHub check run and the Gerrit message carry.
 */
import type { ModelDeclaration } from "./concurrency.js";
import { describeRange } from "./describe.js";
import type { Distribution } from "./distribution.js";
import type { SeriesFact } from "./series.js";
import { concurrencyRules, ProjectFacts } from "./project-facts.js";
import { TRACKED_PACKAGES, type VersionFacts } from "./versions.js";

/** A package (`neutron/cmd` for `neutron/cmd/__init__.py`) or a module (`nova/cmd/api` for `nova/cmd/api.py`). */
export function scopeOf(path: string): string {
  if (path === "__init__.py") return ".";
  return path.replace(/\/__init__\.py$/, "").replace(/\.py$/, "");
}

export interface ScopeFact {
  scope: string;
  path: string;
  models: ("threading" | "eventlet")[];
  declarations: ModelDeclaration[];
}

export interface FactsReport {
  /** The distribution the project is, when its packaging names it. */
  distribution?: Distribution;
  /** The OpenStack series the tree names, whose upper-constraints pins count. */
  series?: SeriesFact;
  versions: VersionFacts;
  scopes: ScopeFact[];
  /** `concurrency` globs of the config, in order. */
  configured: { glob: string; model: string }[];
  configPath: string;
  /** Set when every program the project installs that picks a model picks threading: its library code runs on it. */
  programs?: { model: "threading"; packages: string[]; programs: number; sources: string[]; path: string; line: number; how: string };
}

function scopesFrom(declarations: Iterable<ModelDeclaration>): ScopeFact[] {
  const byPath = new Map<string, ScopeFact>();
  for (const d of declarations) {
    let scope = byPath.get(d.path);
    if (!scope) byPath.set(d.path, (scope = { scope: scopeOf(d.path), path: d.path, models: [], declarations: [] }));
    if (!scope.declarations.some((x) => x.line === d.line && x.how === d.how)) scope.declarations.push(d);
    if (!scope.models.includes(d.model)) scope.models.push(d.model);
  }
  return [...byPath.values()].sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
}

/** Facts for every file given (a whole tree for the CLI). */
export async function collectFacts(facts: ProjectFacts, paths: AsyncIterable<string> | Iterable<string>): Promise<FactsReport> {
  const declarations: ModelDeclaration[] = [];
  for await (const path of paths) declarations.push(...((await facts.scan(path))?.declarations ?? []));
  return {
    distribution: await facts.distribution(),
    series: await facts.series(),
    versions: await facts.versions(),
    scopes: scopesFrom(declarations),
    configured: concurrencyRules(facts.config.concurrency).map(([glob, model]) => ({ glob, model })),
    configPath: facts.configPath,
    ...(await programsFact(facts)),
  };
}

async function programsFact(facts: ProjectFacts): Promise<Pick<FactsReport, "programs">> {
  const p = await facts.programsModel();
  if (!p) return {};
  const { path, line, how } = p.declaration;
  return { programs: { model: p.model, packages: p.packages, programs: p.programs.length, sources: p.sources, path, line, how } };
}

const MAX_PER_MODEL = 5;

/** Drops a scope whose nearest enclosing scope already says the same: `neutron/cmd` under `neutron`. */
function outermost(scopes: ScopeFact[], model: "threading" | "eventlet"): string[] {
  const withModel = scopes.filter((s) => s.models.includes(model));
  const kept: string[] = [];
  for (const s of withModel) {
    const enclosing = scopes
      .filter((o) => o !== s && (o.scope === "." || s.scope.startsWith(`${o.scope}/`)))
      .sort((a, b) => b.scope.length - a.scope.length)[0];
    if (enclosing && enclosing.models.length === 1 && enclosing.models[0] === model) continue;
    kept.push(s.scope);
  }
  return kept;
}

/**
 * One line for a check-run summary or a review message, for example
 * `threading: neutron; eventlet: neutron/cmd/eventlet (eventlet 0.36.1, oslo.messaging >= 14.9.0)`.
 * Undefined when no fact was found.
 */
export function summaryLine(report: Pick<FactsReport, "versions" | "scopes" | "configured" | "programs">): string | undefined {
  const groups: string[] = [];
  for (const model of ["threading", "eventlet"] as const) {
    const names = outermost(report.scopes, model);
    if (report.programs?.model === model) names.push(...report.programs.packages.map((p) => `${p} (every program)`));
    for (const c of report.configured) if (c.model === model) names.push(`${c.glob} (config)`);
    if (names.length === 0) continue;
    const shown = names.slice(0, MAX_PER_MODEL).join(", ");
    groups.push(`${model}: ${shown}${names.length > MAX_PER_MODEL ? ` +${names.length - MAX_PER_MODEL} more` : ""}`);
  }
  const versions = TRACKED_PACKAGES.flatMap((p) => {
    const v = report.versions[p];
    return v ? [`${p} ${describeRange(v, true)}`] : [];
  });
  if (groups.length === 0 && versions.length === 0) return undefined;
  const models = groups.length ? groups.join("; ") : "concurrency model unknown";
  return versions.length ? `${models} (${versions.join(", ")})` : models;
}

/**
 * The summary line for a review: what the files under review (and the packages they belong to) run
 * on, and the versions in use. Call it with the review's Analyzer facts (`analyzer.facts()`) after
 * the analysis, so everything read is reused.
 */
export async function factsSummary(facts: ProjectFacts, paths: readonly string[]): Promise<string | undefined> {
  const declarations: ModelDeclaration[] = [];
  for (const path of paths) declarations.push(...(await facts.concurrencyOf(path)).declarations);
  return summaryLine({
    versions: await facts.versions(),
    scopes: scopesFrom(declarations),
    configured: concurrencyRules(facts.config.concurrency).map(([glob, model]) => ({ glob, model })),
  });
}
