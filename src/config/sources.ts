/**
 * Where a checkout's config may live, in the order a directory is searched, as Ruff does it: our own
 * file, then `[tool.eventlet-review]` in pyproject.toml, then an `[eventlet-review]` section in setup.cfg
 * or tox.ini (where OpenStack projects keep their flake8 settings). The first that holds our settings is
 * the one source; the others are not merged in.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { CONFIG_FILE_NAMES, ConfigError, parseConfig, validateConfig } from "./load.js";
import type { Config } from "./schema.js";

export { CONFIG_SOURCES } from "./defaults.js";

/** The config a file holds, or undefined when it has no section of ours. `source` names it in errors. */
export function configFromFile(name: string, text: string, source: string): Config | undefined {
  if (CONFIG_FILE_NAMES.includes(name)) return parseConfig(text, source);
  if (name === "pyproject.toml") {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text);
    } catch (error) {
      throw new ConfigError(`${source}: invalid TOML: ${error instanceof TomlError ? error.message.split("\n")[0] : String(error)}`);
    }
    const table = (doc.tool as Record<string, unknown> | undefined)?.["eventlet-review"];
    return table === undefined ? undefined : validateConfig(table, `${source} [tool.eventlet-review]`);
  }
  const section = iniSection(text, "eventlet-review");
  return section === undefined ? undefined : validateConfig(section, `${source} [eventlet-review]`);
}

/**
 * One section of a configparser-style file (setup.cfg, tox.ini) as settings. configparser's
 * continuation lines carry lists and mappings, as flake8's options do: `exclude =` then one glob a
 * line; `rules =` then `EVL201: error` a line. A one-line value is read as YAML (`true`, `2048`,
 * `[a, b]`); a dotted key (`github.request_changes`) sets a nested setting. The `ini` package has no
 * continuation lines, hence this reader.
 */
function iniSection(text: string, wanted: string): Record<string, unknown> | undefined {
  const entries: { key: string; first: string; more: string[] }[] = [];
  let inSection = false;
  let found = false;
  for (const raw of text.split(/\r?\n/)) {
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      inSection = header[1].trim() === wanted;
      found ||= inSection;
      continue;
    }
    if (!inSection || /^\s*([#;].*)?$/.test(raw)) continue;
    if (/^\s/.test(raw) && entries.length) entries[entries.length - 1].more.push(raw.trim());
    else {
      const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
      if (pair) entries.push({ key: pair[1].trim(), first: pair[2].trim(), more: [] });
    }
  }
  if (!found) return undefined;
  const settings: Record<string, unknown> = {};
  for (const { key, first, more } of entries) {
    const value = more.length ? multiLine(first ? [first, ...more] : more) : yamlValue(first);
    const path = key.split(".");
    let target = settings;
    for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[path[path.length - 1]] = value;
  }
  return settings;
}

function yamlValue(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

/** Continuation lines: a mapping when every line is `key: value`, else a list of the lines. */
function multiLine(lines: string[]): unknown {
  const pairs = lines.map((l) => /^([^:\s][^:]*):\s+(.+)$/.exec(l));
  if (pairs.every(Boolean)) return Object.fromEntries(pairs.map((m) => [m![1].trim(), yamlValue(m![2])]));
  return lines;
}
