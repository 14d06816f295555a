/** The Python files under a directory, in a stable order, honouring include/exclude globs. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileFilter, globMatcher } from "../../config/file-filter.js";
import { DEFAULT_EXCLUDE } from "../../config/defaults.js";
import type { Config } from "../../config/schema.js";

/**
 * Yields `/`-separated paths relative to `root`, depth first, names sorted. A directory that cannot
 * be read is reported through `onError` and skipped. Symbolic links are not followed.
 */
export async function* walkFiles(
  root: string,
  config: Config,
  onError: (path: string, message: string) => void = () => {},
  /** Walk only this `/`-separated subdirectory of `root`; paths stay relative to `root`, where globs are judged. */
  under = "",
): AsyncGenerator<string> {
  const exclude = globMatcher([...DEFAULT_EXCLUDE, ...config.exclude]);
  const keep = fileFilter(config);

  // Synchronous inside: a tree of a few hundred directories is listed faster than the thread pool
  // answers, and one async step per file costs less than one per file and level of nesting.
  function* walk(prefix: string): Generator<string> {
    const entries: { name: string; dir: boolean }[] = [];
    try {
      for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
        if (entry.isDirectory()) entries.push({ name: entry.name, dir: true });
        else if (entry.isFile()) entries.push({ name: entry.name, dir: false });
      }
    } catch (error) {
      onError(prefix || ".", `skipped: cannot read directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.dir) {
        if (entry.name === ".git" || exclude(`${path}/`) || exclude(`${path}/x`)) continue;
        yield* walk(path);
      } else if (keep(path)) {
        yield path;
      }
    }
  }
  yield* walk(under);
}
