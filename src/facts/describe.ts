/** Words for facts in findings and reports: where a fact came from, what a file runs on. */
import type { ModelDeclaration } from "./concurrency.js";
import type { FileConcurrency } from "./project-facts.js";
import type { FactSource, VersionFact } from "./versions.js";

export function describeSource(source: FactSource): string {
  return source.line === undefined ? source.path : `${source.path}:${source.line}`;
}

/** `oslo.messaging 14.9.0 (requirements.txt:5)`; a lower bound reads `oslo.messaging >= 14.9.0 (…)`. */
export function describeVersion(fact: VersionFact): string {
  return `${fact.package} ${fact.exact ? "" : ">= "}${fact.version} (${describeSource(fact.source)})`;
}

export function describeDeclaration(d: ModelDeclaration): string {
  return `${d.how} at ${d.path}:${d.line}`;
}

/** Why a file counts as threading: the config glob, or the selection on its import chain. */
export function whyThreading(c: FileConcurrency): string {
  if (c.configured) return `configured: concurrency "${c.configured.glob}" = ${c.configured.model}`;
  const d = c.declarations.find((x) => x.model === "threading");
  return d ? `${d.path}:${d.line} selects it` : "threading";
}
