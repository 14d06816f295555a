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

  /** A directory's entries, names sorted (undefined when it cannot be read). */
  function list(prefix: string): { name: string; dir: boolean }[] | undefined {
    const entries: { name: string; dir: boolean }[] = [];
    try {
      for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
        if (entry.isDirectory()) entries.push({ name: entry.name, dir: true });
        else if (entry.isFile()) entries.push({ name: entry.name, dir: false });
      }
    } catch (error) {
      onError(prefix || ".", `skipped: cannot read directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // Synchronous inside: a tree of a few hundred directories is listed faster than the thread pool
  // answers. One loop over a stack of open directories, not a generator per level: each path would
  // otherwise be handed up through every level of nesting.
  const stack: { prefix: string; entries: { name: string; dir: boolean }[]; next: number }[] = [];
  const open = (prefix: string) => {
    const entries = list(prefix);
    if (entries) stack.push({ prefix, entries, next: 0 });
  };
  open(under);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next === top.entries.length) {
      stack.pop();
      continue;
    }
    const entry = top.entries[top.next++];
    const path = top.prefix ? `${top.prefix}/${entry.name}` : entry.name;
    if (entry.dir) {
      if (entry.name !== ".git" && !exclude(`${path}/`) && !exclude(`${path}/x`)) open(path);
    } else if (keep(path)) {
      yield path;
    }
  }
}
