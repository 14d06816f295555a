/** The config of a local checkout: `--config FILE`, else the nearest `.eventlet-review.yaml` up to the repository top. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { activeRules } from "../../analyzer/analyze.js";
import { CONFIG_FILE_NAMES, ConfigError, defaultConfig, parseConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";

/** A command line that names something missing or unreadable: one line and the usage, exit 2. */
export class UsageError extends Error {}

function checkedConfig(config: Config, source: string): Config {
  try {
    activeRules(config);
  } catch (error) {
    throw new ConfigError(`${source}: ${(error as Error).message}`);
  }
  return config;
}

/**
 * `--config FILE` (relative to `cwd`), else the first `.eventlet-review.yaml` (or `.yml`) from
 * `directory` up to the repository top.
 */
export async function loadConfigFor(directory: string, configPath?: string, cwd = process.cwd()): Promise<Config> {
  if (configPath) {
    const text = await readFile(resolve(cwd, configPath), "utf8").catch(() => {
      throw new UsageError(`cannot read config file ${configPath}`);
    });
    return checkedConfig(parseConfig(text, configPath), configPath);
  }
  for (let dir = directory; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) {
        const source = relative(cwd, candidate) || name;
        return checkedConfig(parseConfig(await readFile(candidate, "utf8"), source), source);
      }
    }
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) return defaultConfig();
  }
}
