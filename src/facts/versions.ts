/**
 * The versions of eventlet, oslo.messaging and oslo.service a project allows, read from its requirement
 * files. A requirement is a range, not a number: `oslo.messaging>=14.1.0` allows every release from
 * 14.1.0 up, `<18.0.0` stops it, and a pin (upper-constraints, the series' constraints, `versions:`)
 * narrows it to one release. Pure text in, facts out; the caller decides which files to read.
 */
import { parse as parseSpecifier } from "@renovatebot/pep440/lib/specifier.js";

export const TRACKED_PACKAGES = ["eventlet", "oslo.messaging", "oslo.service"] as const;
export type TrackedPackage = (typeof TRACKED_PACKAGES)[number];

/** Where a fact came from: a file and 1-based line, or the config file (line undefined). */
export interface FactSource {
  path: string;
  line?: number;
}

/** One end of a range: `<18.0.0` is `{version: "18.0.0", inclusive: false}`. */
export interface Bound {
  version: string;
  inclusive: boolean;
}

/** Where a version fact comes from, most authoritative first. */
export type VersionKind = "config" | "constraints" | "series" | "requirement";

export interface VersionFact {
  package: TrackedPackage;
  /** The floor of the range (the pin itself for a pin): the oldest release the project may run. */
  version: string;
  /** The requirement as written (`eventlet>=0.26.0,!=0.27.0`). */
  requirement: string;
  /** True for pins (`==`/`===`, constraints, config): the range is that one release. */
  exact: boolean;
  /** The range's upper end when it has one (`<18.0.0`, `~=17.1`); a pin's is the pin. */
  upper?: Bound;
  /** A pin of the config, of upper-constraints.txt, of the series' constraints, or a requirement range. */
  kind: VersionKind;
  /** For `kind: "series"`: the OpenStack series whose upper-constraints pinned it. */
  series?: string;
  /** A requirement range whose upper end is master's upper-constraints pin (master moves: no exact pin). */
  cappedBy?: { series: string; source: FactSource };
  source: FactSource;
}

/**
 * Files read from the project root, most authoritative first: constraints pin what is installed,
 * then the project's own requirements, then packaging metadata.
 */
export const ROOT_REQUIREMENT_FILES = ["upper-constraints.txt", "requirements.txt", "setup.cfg", "pyproject.toml"];

/** PEP 503 name normalisation: `oslo_messaging`, `Oslo-Messaging` and `oslo.messaging` are one package. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

const BY_NORMALIZED = new Map(TRACKED_PACKAGES.map((p) => [normalize(p), p]));
const NAME = String.raw`([A-Za-z][A-Za-z0-9._-]*)`;
const EXTRAS = String.raw`(?:\s*\[[^\]]*\])?`;
const CLAUSE = String.raw`(?:===|==|>=|<=|~=|!=|>|<)\s*[0-9][0-9A-Za-z.*+!-]*`;
const SPEC = String.raw`(${CLAUSE}(?:\s*,\s*${CLAUSE})*)`;
/** `name[extra] >= 1.0, != 1.2` at the start of a line, or inside a quoted TOML string. */
const PEP508 = new RegExp(String.raw`(?:^\s*|["'])${NAME}${EXTRAS}\s*${SPEC}`, "g");
/** Poetry: `eventlet = "^0.33.0"`, `eventlet = { version = ">=0.30" }`. */
const POETRY = new RegExp(String.raw`^\s*["']?${NAME}["']?\s*=\s*(?:\{[^}]*version\s*=\s*)?["']([^"']+)["']`);

export interface LowerBound {
  version: string;
  exact: boolean;
}

export interface Range {
  floor?: Bound;
  upper?: Bound;
  exact: boolean;
}

/** `1.4.5` → `1.5` (the release after the next-to-last part): the end of `~=1.4.5` and `==1.4.*`. */
function bumpAt(version: string, index: number): string {
  const parts = releaseParts(version).slice(0, index + 1);
  while (parts.length <= index) parts.push(0);
  parts[index] += 1;
  return parts.join(".");
}

function tighterFloor(a: Bound | undefined, b: Bound): Bound {
  if (!a) return b;
  const d = compareVersions(b.version, a.version);
  return d > 0 || (d === 0 && !b.inclusive) ? b : a;
}

function tighterUpper(a: Bound | undefined, b: Bound): Bound {
  if (!a) return b;
  const d = compareVersions(b.version, a.version);
  return d < 0 || (d === 0 && !b.inclusive) ? b : a;
}

/** Poetry's `^0.33.0` and `~1.2.3`, which PEP 440 does not spell. */
function poetryRange(spec: string): Range | undefined {
  const match = /^(\^|~)\s*([0-9][0-9A-Za-z.]*)$/.exec(spec.trim());
  if (!match) return undefined;
  const [, op, version] = match;
  const parts = releaseParts(version);
  const index = op === "~" ? Math.min(1, parts.length - 1) : Math.max(0, parts.findIndex((p) => p !== 0));
  return { floor: { version, inclusive: true }, upper: { version: bumpAt(version, index === -1 ? parts.length - 1 : index), inclusive: false }, exact: false };
}

/** The range a specifier set allows (`>=14.1.0,!=14.2.0,<18.0.0`); `!=` exclusions are ignored. */
export function rangeOf(spec: string): Range | undefined {
  const compact = spec.replace(/\s+/g, "");
  if (!compact) return undefined;
  const poetry = poetryRange(compact);
  if (poetry) return poetry;
  let constraints: { operator: string; version: string; prefix?: string }[];
  try {
    constraints = parseSpecifier(compact) ?? [];
  } catch {
    return undefined;
  }
  if (constraints.length === 0) return undefined;
  const range: Range = { exact: false };
  for (const { operator, version, prefix } of constraints) {
    const wildcard = prefix === ".*";
    switch (operator) {
      case "===":
      case "==":
        if (wildcard) {
          range.floor = tighterFloor(range.floor, { version, inclusive: true });
          range.upper = tighterUpper(range.upper, { version: bumpAt(version, releaseParts(version).length - 1), inclusive: false });
        } else {
          return { floor: { version, inclusive: true }, upper: { version, inclusive: true }, exact: true };
        }
        break;
      case ">=":
      case ">":
        range.floor = tighterFloor(range.floor, { version, inclusive: operator === ">=" });
        break;
      case "<=":
      case "<":
        range.upper = tighterUpper(range.upper, { version, inclusive: operator === "<=" });
        break;
      case "~=":
        range.floor = tighterFloor(range.floor, { version, inclusive: true });
        range.upper = tighterUpper(range.upper, { version: bumpAt(version, Math.max(0, releaseParts(version).length - 2)), inclusive: false });
        break;
      default: // != excludes single releases: it moves neither end
    }
  }
  return range.floor || range.upper ? range : undefined;
}

/** The version a specifier set guarantees at least; undefined when nothing bounds it from below. */
export function lowerBound(spec: string): LowerBound | undefined {
  const range = rangeOf(spec);
  if (!range?.floor) return undefined;
  return { version: range.floor.version, exact: range.exact };
}

/** Numeric release parts: `0.36.0rc1` → [0, 36, 0]; a leading `v` or epoch is ignored. */
export function releaseParts(version: string): number[] {
  const release = version.replace(/^v/i, "").replace(/^\d+!/, "");
  const parts: number[] = [];
  for (const piece of release.split(".")) {
    const digits = /^\d+/.exec(piece);
    if (!digits) break;
    parts.push(Number(digits[0]));
    if (digits[0].length !== piece.length) break;
  }
  return parts;
}

/** Compares release numbers: negative when a < b, 0 when equal (missing parts count as 0; pre-releases as their release). */
export function compareVersions(a: string, b: string): number {
  const x = releaseParts(a);
  const y = releaseParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function atLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

/** True when the range lets the project run `version` or a later release. */
export function allowsFrom(fact: Pick<VersionFact, "upper">, version: string): boolean {
  if (!fact.upper) return true;
  const d = compareVersions(fact.upper.version, version);
  return d > 0 || (d === 0 && fact.upper.inclusive);
}

function stripComment(line: string): string {
  const hash = line.search(/(^|\s)#/);
  return hash < 0 ? line : line.slice(0, hash);
}

/** Every requirement on a tracked package in one file, with its line. */
export function versionsIn(path: string, text: string): VersionFact[] {
  const facts: VersionFact[] = [];
  const toml = path.endsWith(".toml");
  text.split(/\r?\n|\r/).forEach((rawLine, index) => {
    const line = stripComment(rawLine).split(";")[0];
    if (!line.trim() || /^\s*-/.test(line)) return; // -r, -c, -e lines
    const candidates: [string, string][] = [];
    for (const m of line.matchAll(PEP508)) {
      // In requirement files the name starts the line; in TOML it follows a quote.
      if (!toml && m.index !== 0 && line.slice(0, m.index).trim() !== "") continue;
      candidates.push([m[1], m[2]]);
    }
    if (toml && candidates.length === 0) {
      const poetry = POETRY.exec(line);
      if (poetry) candidates.push([poetry[1], poetry[2]]);
    }
    for (const [name, spec] of candidates) {
      const tracked = BY_NORMALIZED.get(normalize(name));
      if (!tracked) continue;
      const range = rangeOf(spec);
      // An upper bound alone says nothing about the oldest release in use.
      if (!range?.floor) continue;
      const fact: VersionFact = {
        package: tracked,
        version: range.floor.version,
        requirement: `${name}${spec.replace(/\s+/g, "")}`,
        exact: range.exact,
        kind: path.endsWith("upper-constraints.txt") ? "constraints" : "requirement",
        source: { path, line: index + 1 },
      };
      if (range.upper) fact.upper = range.upper;
      facts.push(fact);
    }
  });
  return facts;
}

export type VersionFacts = Partial<Record<TrackedPackage, VersionFact>>;

/** The pins of the series the tree names (tox.ini, .gitreview), placed after a root upper-constraints.txt. */
export interface SeriesInput {
  series: string;
  asOf: string;
  source: FactSource;
  pins: Partial<Record<TrackedPackage, string>>;
}

/**
 * One fact per package, most authoritative first: a `versions:` pin of the config, then the files in
 * the order given (upper-constraints.txt before the requirement files), with the series' pins placed
 * after the root upper-constraints.txt. Within a file the first line wins.
 */
export function mergeVersions(
  files: { path: string; text: string }[],
  pinned: Partial<Record<TrackedPackage, string>> = {},
  configPath = ".eventlet-review.yaml",
  series?: SeriesInput,
): VersionFacts {
  const result: VersionFacts = {};
  const pin = (pkg: TrackedPackage, version: string, kind: VersionKind, source: FactSource, extra: Partial<VersionFact> = {}) => {
    result[pkg] ??= { package: pkg, version, requirement: `${pkg}==${version}`, exact: true, upper: { version, inclusive: true }, kind, source, ...extra };
  };
  for (const pkg of TRACKED_PACKAGES) {
    const version = pinned[pkg];
    if (version) pin(pkg, version, "config", { path: configPath });
  }
  const constraints = files.filter((f) => f.path.endsWith("upper-constraints.txt"));
  const others = files.filter((f) => !f.path.endsWith("upper-constraints.txt"));
  for (const file of constraints) for (const fact of versionsIn(file.path, file.text)) result[fact.package] ??= fact;
  // A stable series pins what its branch runs. master's pins are a snapshot of a moving target (a tree
  // from 2021 also names master), so there they only cap the requirement range from above.
  const exactSeries = series && series.series !== "master" ? series : undefined;
  if (exactSeries) {
    for (const pkg of TRACKED_PACKAGES) {
      const version = exactSeries.pins[pkg];
      if (version) pin(pkg, version, "series", exactSeries.source, { series: exactSeries.series, requirement: `${pkg}===${version}` });
    }
  }
  for (const file of others) for (const fact of versionsIn(file.path, file.text)) result[fact.package] ??= fact;
  if (series && !exactSeries) {
    for (const pkg of TRACKED_PACKAGES) {
      const cap = series.pins[pkg];
      const fact = result[pkg];
      if (!cap || !fact || fact.kind !== "requirement" || fact.exact) continue;
      if (fact.upper && compareVersions(fact.upper.version, cap) <= 0) continue;
      result[pkg] = { ...fact, upper: { version: cap, inclusive: true }, cappedBy: { series: series.series, source: series.source } };
    }
  }
  return result;
}
