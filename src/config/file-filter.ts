/** Which paths a review covers: the config's include globs minus the default and configured excludes. */
import picomatch from "picomatch";
import { DEFAULT_EXCLUDE, type Config } from "./schema.js";

export function fileFilter(config: Config): (relativePath: string) => boolean {
  const include = picomatch(config.include, { dot: true });
  const exclude = picomatch([...DEFAULT_EXCLUDE, ...config.exclude], { dot: true });
  return (path) => include(path) && !exclude(path);
}
