/** Words for facts in findings and reports: where a fact came from, what a file runs on. */
import type { ModelDeclaration } from "./concurrency.js";
import type { FileConcurrency } from "./project-facts.js";
import type { FactSource, VersionFact } from "./versions.js";

export function describeSource(source: FactSource): string {
  return source.line === undefined ? source.path : `${source.path}:${source.line}`;
}

/** `14.9.0` for a pin; `>= 14.9.0` or `>= 14.9.0, < 18.0.0` (`compact`: `>= 14.9.0,<18.0.0`) for a range. */
export function describeRange(fact: VersionFact, compact = false): string {
  if (fact.exact) return fact.version;
  const upper = fact.upper ? `,${compact ? "" : " "}${fact.upper.inclusive ? "<=" : "<"}${compact ? "" : " "}${fact.upper.version}` : "";
  return `>= ${fact.version}${upper}`;
}

/** Where a version fact came from: a file and line, or the series' constraints a file names. */
export function describeVersionSource(fact: VersionFact): string {
  if (fact.kind === "series") return `upper-constraints of ${fact.series}, named by ${describeSource(fact.source)}`;
  if (fact.cappedBy) return `${describeSource(fact.source)}, capped by the upper-constraints of ${fact.cappedBy.series} named by ${describeSource(fact.cappedBy.source)}`;
  return describeSource(fact.source);
}

/** `oslo.messaging 14.9.0 (upper-constraints.txt:5)`; a range reads `oslo.messaging >= 14.9.0 (requirements.txt:5)`. */
export function describeVersion(fact: VersionFact): string {
  return `${fact.package} ${describeRange(fact)} (${describeVersionSource(fact)})`;
}

export function describeDeclaration(d: ModelDeclaration): string {
  return `${d.how} at ${d.path}:${d.line}`;
}

/** Why a file counts as threading: the config glob, the selection on its import chain, or the project's programs. */
export function whyThreading(c: FileConcurrency): string {
  if (c.configured) return `configured: concurrency "${c.configured.glob}" = ${c.configured.model}`;
  if (c.programs) {
    const { declaration, programs, sources } = c.programs;
    return `every program of the project that picks a model picks it: ${declaration.path}:${declaration.line}; ${programs.length} programs in ${sources.join(" and ")}`;
  }
  const d = c.declarations.find((x) => x.model === "threading");
  return d ? `${d.path}:${d.line} selects it` : "threading";
}
