/**
 * `--select`, `--extend-select` and `--ignore`: rule codes or prefixes (`EVL3`, `EVL10`, `EVL`), as
 * flake8 and Ruff take them. They override the config's on/off for the rules they name and keep its
 * severities: `--select` replaces the enabled set, `--extend-select` adds to it, `--ignore` removes.
 */
import type { Config, RuleSetting } from "../config/schema.js";
import { resolveRule } from "../analyzer/analyze.js";
import { ALL_RULES } from "../rules/index.js";
import { UsageError } from "../platforms/local/config.js";

export interface Selection {
  select?: string;
  extendSelect?: string;
  ignore?: string;
}

/** Splits a comma list and checks that each entry names at least one rule. */
function codes(list: string | undefined, flag: string): string[] | undefined {
  if (list === undefined) return undefined;
  const entries = list
    .split(",")
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  for (const entry of entries) {
    if (!/^EVL\d{0,3}$/.test(entry) || !ALL_RULES.some((r) => r.meta.id.startsWith(entry))) {
      throw new UsageError(`${flag}: ${entry} is no rule code or prefix (codes run EVL101 to EVL503; prefixes such as EVL1 or EVL50 work)`);
    }
  }
  return entries;
}

function turnedOn(setting: RuleSetting | undefined): RuleSetting {
  if (typeof setting === "string" && setting !== "off" && setting !== "on") return setting; // a severity
  if (typeof setting === "object") return { ...setting, enabled: true };
  return "on";
}

export function applySelection(config: Config, selection: Selection): Config {
  const select = codes(selection.select, "--select");
  const extend = codes(selection.extendSelect, "--extend-select") ?? [];
  const ignore = codes(selection.ignore, "--ignore") ?? [];
  if (!select && !extend.length && !ignore.length) return config;
  const matches = (id: string, prefixes: string[]) => prefixes.some((p) => id.startsWith(p));
  const rules: Config["rules"] = { ...config.rules };
  for (const rule of ALL_RULES) {
    const id = rule.meta.id;
    const enabled = select ? matches(id, select) : !!resolveRule(rule, config.rules[id]);
    const on = (enabled || matches(id, extend)) && !matches(id, ignore);
    rules[id] = on ? turnedOn(config.rules[id]) : "off";
  }
  return { ...config, rules };
}
