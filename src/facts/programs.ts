/**
 * The programs a project installs, from its packaging metadata: `[project.scripts]`,
 * `[project.gui-scripts]` and the `console_scripts`/`wsgi_scripts` entry-point groups of
 * pyproject.toml, and the same groups under setup.cfg's `[entry_points]` (pbr). Each names the
 * module Python imports to start the program (`ironic.command.api:main` → `ironic.command.api`).
 */
import { parse as parseToml } from "smol-toml";

export interface Program {
  /** The installed command: `ironic-api`. */
  name: string;
  /** The module that starts it: `ironic.command.api`. */
  module: string;
  /** The metadata file and line it came from. */
  path: string;
  line: number;
}

const GROUPS = new Set(["console_scripts", "gui_scripts", "wsgi_scripts"]);

/** `name = module.path:function` (quotes optional) → the module. */
function entry(text: string): { name: string; module: string } | undefined {
  const m = /^\s*["']?([\w.-]+)["']?\s*=\s*["']?([A-Za-z_][\w.]*)\s*(?::[\w.]+)?\s*(?:\[[^\]]*\])?\s*["']?\s*(?:#.*)?$/.exec(text);
  return m ? { name: m[1], module: m[2] } : undefined;
}

/** The 1-based line of the first line that names `name` as a key, for the fact's source. */
function lineOf(text: string, name: string): number {
  const index = text.split(/\r?\n/).findIndex((line) => new RegExp(`^\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*=`).test(line));
  return index + 1;
}

/** Programs declared in a pyproject.toml: `[project.scripts]`, `[project.gui-scripts]`, entry-point groups. */
export function pyprojectPrograms(path: string, text: string): Program[] {
  let data: { project?: Record<string, unknown> };
  try {
    data = parseToml(text) as typeof data;
  } catch {
    return []; // a broken pyproject.toml installs nothing we can see
  }
  const tables: unknown[] = [data.project?.scripts, data.project?.["gui-scripts"]];
  const groups = data.project?.["entry-points"] as Record<string, unknown> | undefined;
  for (const group of GROUPS) tables.push(groups?.[group]);
  const programs: Program[] = [];
  for (const table of tables) {
    if (!table || typeof table !== "object") continue;
    for (const [name, value] of Object.entries(table)) {
      const found = typeof value === "string" ? entry(`${name} = ${value}`) : undefined;
      if (found) programs.push({ ...found, path, line: lineOf(text, name) });
    }
  }
  return programs;
}

/**
 * Programs declared in a setup.cfg `[entry_points]` section (pbr's console_scripts and wsgi_scripts).
 * Read line by line: their values continue on indented lines, which INI parsers such as `ini` do not join.
 */
export function setupCfgPrograms(path: string, text: string): Program[] {
  const programs: Program[] = [];
  let inSection = false;
  let inGroup = false;
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const section = /^\[([^\]]+)\]/.exec(line);
    if (section) {
      inSection = section[1].trim() === "entry_points";
      inGroup = false;
      continue;
    }
    if (!inSection || /^\s*(#|;|$)/.test(line)) continue;
    const key = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (key) {
      // A new key at the start of a line starts a group; its value may begin on the same line.
      inGroup = GROUPS.has(key[1]);
      const found = inGroup && key[2].trim() ? entry(key[2]) : undefined;
      if (found) programs.push({ ...found, path, line: i + 1 });
      continue;
    }
    if (!inGroup) continue;
    const found = entry(line);
    if (found) programs.push({ ...found, path, line: i + 1 });
  }
  return programs;
}
