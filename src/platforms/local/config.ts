/** The config of a local checkout: `--config FILE`, else the nearest `.eventlet-review.yaml` up to the repository top. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { activeRules } from "../../analyzer/analyze.js";
import { CONFIG_SOURCES, ConfigError, defaultConfig } from "../../config/defaults.js";
import type { Config } from "../../config/schema.js";
import { dirsUpToGitTop } from "./root.js";

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
 * `--config FILE` (relative to `cwd`), else the first config source (config/sources.ts: our YAML,
 * pyproject.toml, setup.cfg, tox.ini) from `directory` up to the repository top.
 */
export async function loadConfigFor(directory: string, configPath?: string, cwd = process.cwd()): Promise<Config> {
  // The parsers and the validator (zod) load only for a config to parse: most of a plain run's start-up.
  const parsers = async () => ({ ...(await import("../../config/sources.js")), ...(await import("../../config/load.js")) });
  if (configPath) {
    const { configFromFile, parseConfig } = await parsers();
    const text = await readFile(resolve(cwd, configPath), "utf8").catch(() => {
      throw new UsageError(`cannot read config file ${configPath}`);
    });
    // A pyproject.toml, setup.cfg or tox.ini given by name is read for our section; anything else is YAML.
    const name = basename(configPath);
    const config = CONFIG_SOURCES.slice(2).includes(name) ? configFromFile(name, text, configPath) : parseConfig(text, configPath);
    if (!config) throw new UsageError(`${configPath} has no eventlet-review section ([tool.eventlet-review] or [eventlet-review])`);
    return checkedConfig(config, configPath);
  }
  for (const dir of dirsUpToGitTop(directory)) {
    for (const name of CONFIG_SOURCES) {
      const candidate = join(dir, name);
      if (!existsSync(candidate)) continue;
      const source = relative(cwd, candidate) || name;
      const { configFromFile } = await parsers();
      const config = configFromFile(name, await readFile(candidate, "utf8"), source);
      if (config) return checkedConfig(config, source);
    }
  }
  return defaultConfig();
}
