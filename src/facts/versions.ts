/**
 * The versions of eventlet, oslo.messaging and oslo.service a project runs, read from its requirement
 * files: an exact pin counts as is, a range by its lower bound (`eventlet>=0.26.0,!=0.27.0` → 0.26.0).
 * Pure text in, facts out; the caller decides which files to read (see ROOT_REQUIREMENT_FILES).
 */

export const TRACKED_PACKAGES = ["eventlet", "oslo.messaging", "oslo.service"] as const;
export type TrackedPackage = (typeof TRACKED_PACKAGES)[number];

/** Where a fact came from: a file and 1-based line, or the config file (line undefined). */
export interface FactSource {
  path: string;
  line?: number;
}

export interface VersionFact {
  package: TrackedPackage;
  /** The version that counts: the pin, or the lower bound of the range. */
  version: string;
  /** The requirement as written (`eventlet>=0.26.0,!=0.27.0`). */
  requirement: string;
  /** True for `==`/`===` pins (and config pins), false for a lower bound. */
  exact: boolean;
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

/** The version a specifier set guarantees at least; undefined when nothing bounds it from below. */
export function lowerBound(spec: string): LowerBound | undefined {
  let best: LowerBound | undefined;
  for (const raw of spec.split(",")) {
    const clause = raw.trim();
    const match = /^(===|==|>=|~=|>|\^|~=?|<=|<|!=)?\s*([0-9][0-9A-Za-z.*+!-]*)$/.exec(clause);
    if (!match) continue;
    const [, op = "==", version] = match;
    if (op === "<" || op === "<=" || op === "!=") continue;
    if (version.includes("*")) continue;
    const exact = op === "==" || op === "===";
    if (exact) return { version, exact };
    if (!best || compareVersions(version, best.version) > 0) best = { version, exact: false };
  }
  return best;
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

/** Compares release numbers: negative when a < b, 0 when equal (missing parts count as 0). */
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
      const bound = lowerBound(spec.replace(/\s+/g, ""));
      if (!bound) continue;
      facts.push({
        package: tracked,
        version: bound.version,
        requirement: `${name}${spec.replace(/\s+/g, "")}`,
        exact: bound.exact,
        source: { path, line: index + 1 },
      });
    }
  });
  return facts;
}

export type VersionFacts = Partial<Record<TrackedPackage, VersionFact>>;

/**
 * One fact per package from several files, given most authoritative first: the first file that names
 * a package wins; within a file the first line does.
 */
export function mergeVersions(files: { path: string; text: string }[], pinned: Partial<Record<TrackedPackage, string>> = {}, configPath = ".eventlet-review.yaml"): VersionFacts {
  const result: VersionFacts = {};
  for (const pkg of TRACKED_PACKAGES) {
    const version = pinned[pkg];
    if (version) result[pkg] = { package: pkg, version, requirement: `${pkg}==${version}`, exact: true, source: { path: configPath } };
  }
  for (const file of files) {
    for (const fact of versionsIn(file.path, file.text)) {
      result[fact.package] ??= fact;
    }
  }
  return result;
}
