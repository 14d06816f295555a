/**
 * The distribution the project under review is: `[project] name` in pyproject.toml, else
 * `[metadata] name` in setup.cfg (pbr's place). oslo.service reviewing its own `wsgi.py`, or eventlet
 * its own tests, is no user of a retired API: findings about a project's own distribution are silent.
 */
import { parse as parseIni } from "ini";
import { parse as parseToml } from "smol-toml";
import type { FactSource } from "./versions.js";

export interface Distribution {
  name: string;
  source: FactSource;
}

/** PEP 503 normalisation: `oslo_messaging`, `Oslo-Messaging` and `oslo.messaging` are one name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export function sameDistribution(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

/** The 1-based line of the first `name = …` line that names `name`, for the fact's source. */
function lineOf(text: string, name: string): number | undefined {
  const index = text.split(/\r?\n|\r/).findIndex((line) => /^\s*name\s*[=:]/.test(line) && line.includes(name));
  return index < 0 ? undefined : index + 1;
}

function fromPyproject(text: string): string | undefined {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined; // a broken pyproject.toml names nothing; setup.cfg may still
  }
  const project = data.project as { name?: unknown } | undefined;
  const poetry = (data.tool as { poetry?: { name?: unknown } } | undefined)?.poetry;
  const name = project?.name ?? poetry?.name;
  return typeof name === "string" && name.trim() ? name.trim() : undefined;
}

function fromSetupCfg(text: string): string | undefined {
  const metadata = parseIni(text).metadata as Record<string, unknown> | undefined;
  const name = metadata?.name;
  return typeof name === "string" && name.trim() ? name.trim() : undefined;
}

export const DISTRIBUTION_FILES = ["pyproject.toml", "setup.cfg"] as const;

/** The first of pyproject.toml and setup.cfg (read through `read`) that names the distribution. */
export async function readDistribution(read: (path: string) => Promise<string | undefined>): Promise<Distribution | undefined> {
  for (const path of DISTRIBUTION_FILES) {
    const text = await read(path);
    if (text === undefined) continue;
    const name = path === "pyproject.toml" ? fromPyproject(text) : fromSetupCfg(text);
    if (name) return { name, source: { path, line: lineOf(text, name) } };
  }
  return undefined;
}
