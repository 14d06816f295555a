/** The Python files under a directory, in a stable order, honouring include/exclude globs. */
import { opendir } from "node:fs/promises";
import { join } from "node:path";
import picomatch from "picomatch";
import { fileFilter } from "../config/file-filter.js";
import { DEFAULT_EXCLUDE, type Config } from "../config/schema.js";

/** Yields `/`-separated paths relative to `root`, depth first, names sorted. */
export async function* walkFiles(root: string, config: Config, prefix = ""): AsyncGenerator<string> {
  const exclude = picomatch([...DEFAULT_EXCLUDE, ...config.exclude], { dot: true });
  const keep = fileFilter(config);
  const entries: { name: string; dir: boolean }[] = [];
  for await (const entry of await opendir(join(root, prefix))) {
    if (entry.isDirectory()) entries.push({ name: entry.name, dir: true });
    else if (entry.isFile()) entries.push({ name: entry.name, dir: false });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.dir) {
      if (entry.name === ".git" || exclude(`${path}/`) || exclude(`${path}/x`)) continue;
      yield* walkFiles(root, config, path);
    } else if (keep(path)) {
      yield path;
    }
  }
}
