/** Which paths a review covers: the config's include globs minus the default and configured excludes. */
import picomatch from "picomatch";
import { DEFAULT_EXCLUDE } from "./defaults.js";
import type { Config } from "./schema.js";

/**
 * `picomatch(globs, { dot: true })` as one regular expression: a path matches a glob when it is the
 * glob itself or matches the glob's expression (picomatch.test), so one search per path does what a
 * search per glob did (a whole-tree walk asks for every file and directory).
 */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  // The walk, the file filter and the roles ask for the same lists: compile each once.
  const key = globs.join("\0");
  let matcher = compiled.get(key);
  if (!matcher) {
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    matcher = compile(globs);
    compiled.set(key, matcher);
  }
  return matcher;
}

/** Compiled glob lists, a few per config: a service sees many configs, so the memo is bounded. */
const compiled = new Map<string, (path: string) => boolean>();
const COMPILED_KEPT = 64;

function compile(globs: readonly string[]): (path: string) => boolean {
  const expressions = globs.map((glob) => picomatch.makeRe(glob, { dot: true }));
  if (expressions.some((e) => e.flags !== expressions[0].flags)) return picomatch([...globs], { dot: true });
  if (!expressions.length) return () => false;
  const literal = new Set(globs);
  const any = new RegExp(expressions.map((e) => `(?:${e.source})`).join("|"), expressions[0].flags);
  // picomatch's expressions guard every segment against `.` and `..` with lookaheads, which makes a
  // search cost microseconds per path. A path without any glob's needle cannot match: skip the search.
  const needles = globs.map(needleOf);
  if (needles.includes(undefined)) return (path) => path !== "" && (literal.has(path) || any.test(path));
  const distinct = [...new Set(needles as string[])];
  return (path) => path !== "" && (literal.has(path) || (distinct.some((n) => path.includes(n)) && any.test(path)));
}

/**
 * Text every path the glob matches contains: its longest literal run between `/`, `*` and `?`. Only
 * for globs of plain characters (no classes, braces, extglobs or escapes), and never a `.` or `..`
 * segment, which picomatch drops (`./x/*` matches `x/y`).
 */
function needleOf(glob: string): string | undefined {
  if (!/^[\w.\-/*?]+$/.test(glob)) return undefined;
  const runs = glob.split(/[/*?]+/).filter((run) => run !== "" && run !== "." && run !== "..");
  return runs.sort((a, b) => b.length - a.length)[0];
}

export function fileFilter(config: Config): (relativePath: string) => boolean {
  const include = globMatcher(config.include);
  const exclude = globMatcher([...DEFAULT_EXCLUDE, ...config.exclude]);
  return (path) => include(path) && !exclude(path);
}
