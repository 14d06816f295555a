/** Finds, parses and validates `.eventlet-review.yaml`; every problem becomes one ConfigError line. */
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { configSchema, type Config } from "./schema.js";

import { ConfigError } from "./defaults.js";

export { CONFIG_FILE_NAMES, ConfigError, defaultConfig } from "./defaults.js";

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const at = issue.path.length ? ` in ${issue.path.join(".")}` : "";
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${at}`;
  }
  const where = issue.path.length ? issue.path.join(".") : "(top level)";
  return `${where}: ${issue.message}`;
}

/** Parses config text; `source` names the file in error messages. */
export function parseConfig(text: string, source = ".eventlet-review.yaml"): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`${source}: invalid YAML: ${detail}`);
  }
  return validateConfig(raw, source);
}

/** Validates settings already parsed (from YAML, TOML or INI); `source` names them in error messages. */
export function validateConfig(raw: unknown, source: string): Config {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a mapping of settings at the top level`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`${source}: ${result.error.issues.map(describeIssue).join("; ")}`);
  }
  return result.data;
}
