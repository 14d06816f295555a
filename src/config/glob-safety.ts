/**
 * Limits on the config's globs, checked when the config loads. picomatch compiles a glob into a
 * backtracking regular expression, and the paths it is matched against are chosen by whoever opens
 * the change: every unbounded wildcard that can consume the same characters as another multiplies
 * the work on a hostile path (`**\/*a*a*a*a*a*a*b.py` against a 120-character name ran past 60 s).
 * Within these limits the worst case stays small on paths a file system can hold (segments of at
 * most 255 bytes); the review's per-file time budget (src/review/sandbox.ts) covers the rest.
 */

export const MAX_GLOB_LENGTH = 256;
/** `*` wildcards (and extglob groups) in one path segment. */
export const MAX_STARS_PER_SEGMENT = 3;
/** `**` segments in one glob. */
export const MAX_GLOBSTARS = 2;
/** Unbounded wildcards in the whole glob: each `*`, `**` and extglob group counts once. */
export const MAX_WILDCARDS = 4;

/** Why a glob is refused, or undefined when it is within the limits. */
export function globComplexityProblem(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `is ${glob.length} characters long; the limit is ${MAX_GLOB_LENGTH}`;
  let globstars = 0;
  let wildcards = 0;
  for (const segment of glob.split("/")) {
    if (segment === "**") {
      globstars++;
      wildcards++;
      continue;
    }
    // An extglob group (`*(a)`, `+(a|b)`, `@(x)`, `!(y)`, `?(z)`) repeats or negates: count it as a star.
    const extglobs = segment.match(/[*+@!?]\(/g)?.length ?? 0;
    const stars = (segment.replace(/\\./g, "").replace(/[*+@!?]\(/g, "").match(/\*+/g)?.length ?? 0) + extglobs;
    if (stars > MAX_STARS_PER_SEGMENT) {
      return `has ${stars} wildcards in the path segment "${segment}"; the limit is ${MAX_STARS_PER_SEGMENT}`;
    }
    wildcards += stars;
  }
  if (globstars > MAX_GLOBSTARS) return `has ${globstars} "**" segments; the limit is ${MAX_GLOBSTARS}`;
  if (wildcards > MAX_WILDCARDS) return `has ${wildcards} wildcards; the limit is ${MAX_WILDCARDS}`;
  return undefined;
}

/** Longest path segment and path a file system holds (ext4, NTFS, APFS: 255 bytes; Linux PATH_MAX: 4096). */
export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_BYTES = 4096;

/** Why a changed file's path is not matched at all, or undefined for an ordinary path. */
export function pathProblem(path: string): string | undefined {
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_PATH_BYTES) return `skipped: the path is ${bytes} bytes long, over the ${MAX_PATH_BYTES}-byte limit`;
  for (const segment of path.split("/")) {
    const length = Buffer.byteLength(segment);
    if (length > MAX_SEGMENT_BYTES) return `skipped: a path segment is ${length} bytes long, over the ${MAX_SEGMENT_BYTES}-byte limit`;
  }
  return undefined;
}
