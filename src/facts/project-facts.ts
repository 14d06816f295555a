/**
 * Project facts, computed once per review through ProjectFiles (so the CLI, GitHub and Gerrit all get
 * them): the versions of eventlet, oslo.messaging and oslo.service, and the concurrency model of each
 * package and entry point. Everything is read lazily and remembered, so a parent `__init__.py` shared by
 * many files is read and parsed once, and a file that never asks reads nothing.
 */
import picomatch from "picomatch";
import { parentPackageInits, type ProjectFiles } from "../python/project-files.js";
import { moduleRoles } from "./roles.js";
import type { Config } from "../config/schema.js";
import { readDistribution, type Distribution } from "./distribution.js";
import { readSeries, seriesPins, type SeriesFact } from "./series.js";
import { moduleFile } from "./indirection.js";
import { pyprojectPrograms, setupCfgPrograms, type Program } from "./programs.js";
import { combine, scanModule, type ConcurrencyModel, type ModelDeclaration, type ModuleScan } from "./concurrency.js";
import { mergeVersions, ROOT_REQUIREMENT_FILES, TRACKED_PACKAGES, type TrackedPackage, type VersionFact, type VersionFacts } from "./versions.js";

export type ModelSetting = "auto" | ConcurrencyModel;

export interface FileConcurrency {
  path: string;
  model: ConcurrencyModel | "mixed" | "unknown";
  /** Declarations Python runs on the way to this file: parent package `__init__`s outermost first, then the file. */
  declarations: ModelDeclaration[];
  /** The `concurrency` glob of the config that decided the model, when one did. */
  configured?: { glob: string; model: ConcurrencyModel };
  /** Set when the file declares nothing on its chain but every program that runs it selects threading. */
  programs?: ProgramsModel;
}

/**
 * What the programs a project installs run on (ironic, designate and heat select threading in their
 * command packages). Library code only those programs run inherits it: `threading` when at least one
 * program selects it and none patches or selects eventlet. A program that declares nothing patches
 * nothing, so it runs native threads too.
 */
export interface ProgramsModel {
  model: "threading";
  /** The programs of the project found in the tree, and the metadata files that list them. */
  programs: Program[];
  sources: string[];
  /** The selection of the first program that selects threading. */
  declaration: ModelDeclaration;
  /** Top-level packages of those programs: library code under them inherits the model. */
  packages: string[];
}

/** Subpackages a package `__init__` is probed for, to see a conflict from the parent's side. */
const PROBED_CHILDREN = ["cmd/__init__.py", "tests/__init__.py", "tests/unit/__init__.py", "tests/functional/__init__.py"];

/** `concurrency: threading` or `concurrency: {glob: model}` → ordered [glob, model] pairs. */
export function concurrencyRules(setting: Config["concurrency"]): [string, ModelSetting][] {
  if (setting === undefined) return [];
  if (typeof setting === "string") return [["**", setting]];
  return Object.entries(setting);
}

export class ProjectFacts {
  private versionFacts?: Promise<VersionFacts>;
  private distributionFact?: Promise<Distribution | undefined>;
  private seriesFact?: Promise<SeriesFact | undefined>;
  private programFacts?: Promise<ProgramsModel | undefined>;
  private readonly scans = new Map<string, Promise<ModuleScan | undefined>>();
  private readonly rules: { glob: string; model: ModelSetting; match: (path: string) => boolean }[];

  constructor(
    readonly project: ProjectFiles,
    readonly config: Config,
    /** Names the config file in fact sources. */
    readonly configPath = ".eventlet-review.yaml",
  ) {
    this.rules = concurrencyRules(config.concurrency).map(([glob, model]) => ({ glob, model, match: picomatch(glob, { dot: true }) }));
  }

  /**
   * Versions from the config's `versions`, then upper-constraints.txt, then the pins of the series the
   * tree names (tox.ini, .gitreview), then the ranges of requirements.txt, setup.cfg, pyproject.toml.
   */
  versions(): Promise<VersionFacts> {
    this.versionFacts ??= (async () => {
      const files: { path: string; text: string }[] = [];
      for (const path of ROOT_REQUIREMENT_FILES) {
        const text = await this.project.readText(path);
        if (text !== undefined) files.push({ path, text });
      }
      const series = await this.series();
      const pins = series && seriesPins(series.series);
      return mergeVersions(files, this.config.versions ?? {}, this.configPath, pins && { ...pins, source: series.source });
    })();
    return this.versionFacts;
  }

  /** The OpenStack series the tree names: tox.ini's constraints URL, else .gitreview's stable branch. */
  series(): Promise<SeriesFact | undefined> {
    this.seriesFact ??= readSeries((path) => this.project.readText(path));
    return this.seriesFact;
  }

  /** The distribution this project is (pyproject.toml `[project] name`, setup.cfg `[metadata] name`). */
  distribution(): Promise<Distribution | undefined> {
    this.distributionFact ??= readDistribution((path) => this.project.readText(path));
    return this.distributionFact;
  }

  async version(pkg: TrackedPackage): Promise<VersionFact | undefined> {
    return (await this.versions())[pkg];
  }

  /**
   * The declarations of one file (undefined when it does not exist). Give `text` when you have it (the
   * file under review): it is then not read again, nor kept in the project's file cache.
   */
  scan(path: string, text?: string): Promise<ModuleScan | undefined> {
    let scan = this.scans.get(path);
    if (!scan) {
      scan = (text !== undefined ? Promise.resolve(text) : this.project.readText(path)).then((text) => {
        if (text === undefined) return undefined;
        const roles = moduleRoles(path, text, this.config);
        return scanModule(path, text, this.config, roles.entryPoint, this.project);
      });
      this.scans.set(path, scan);
    }
    return scan;
  }

  /**
   * The files Python runs on the way to `path`: its parent package `__init__`s, then the file itself.
   * Given the file's text, a script run by path (a `__main__` guard) is its own program: just the file.
   */
  chain(path: string, text?: string): string[] {
    if (text !== undefined && moduleRoles(path, text, this.config).script) return [path];
    return [...parentPackageInits(path), path];
  }

  /** The config's say for `path`: the first `concurrency` glob that matches, unless it says `auto`. */
  configured(path: string): FileConcurrency["configured"] {
    const rule = this.rules.find((r) => r.match(path));
    return rule && rule.model !== "auto" ? { glob: rule.glob, model: rule.model } : undefined;
  }

  /** The model `path` runs on; `text` is the file's own text when the caller has it. */
  async concurrencyOf(path: string, text?: string): Promise<FileConcurrency> {
    const declarations = await this.chainDeclarations(path, text);
    const configured = this.configured(path);
    if (configured) return { path, model: configured.model, declarations, configured };
    const model = combine(declarations);
    if (model === "unknown") {
      // Library code that declares nothing runs in the project's programs: if they all select threading, so does it.
      const programs = await this.programsModel();
      const roles = moduleRoles(path, text ?? (await this.project.readText(path)) ?? "", this.config);
      const library = !roles.entryPoint && !roles.test && !roles.patchModule;
      if (programs && library && programs.packages.includes(path.split("/")[0])) {
        return { path, model: programs.model, declarations: [programs.declaration], programs };
      }
    }
    return { path, model, declarations };
  }

  private async chainDeclarations(path: string, text?: string): Promise<ModelDeclaration[]> {
    const declarations: ModelDeclaration[] = [];
    for (const file of this.chain(path, text ?? (await this.project.readText(path)))) {
      const scan = await this.scan(file, file === path ? text : undefined);
      if (scan) declarations.push(...scan.declarations);
    }
    return declarations;
  }

  /** What the project's installed programs run on, when they agree on threading (see ProgramsModel). */
  programsModel(): Promise<ProgramsModel | undefined> {
    this.programFacts ??= (async () => {
      const listed: Program[] = [];
      const sources: string[] = [];
      for (const [file, parse] of [["setup.cfg", setupCfgPrograms], ["pyproject.toml", pyprojectPrograms]] as const) {
        const text = await this.project.readText(file);
        const found = text === undefined ? [] : parse(file, text);
        if (found.length > 0) sources.push(file);
        listed.push(...found);
      }
      const programs: Program[] = [];
      let declaration: ModelDeclaration | undefined;
      for (const program of listed) {
        const file = await moduleFile(program.module, this.project);
        if (!file) continue; // another distribution's program (designate-rootwrap = oslo_rootwrap.cmd:main)
        programs.push(program);
        const declarations = await this.chainDeclarations(file.path);
        if (declarations.some((d) => d.model === "eventlet")) return undefined;
        declaration ??= declarations.find((d) => d.model === "threading");
      }
      if (!declaration) return undefined;
      const packages = [...new Set(programs.map((p) => p.module.split(".")[0]))];
      return { model: "threading" as const, programs, sources, declaration, packages };
    })();
    return this.programFacts;
  }

  /**
   * Declarations in code that runs in the same process as `path` but is not on its own import chain:
   * the package `__init__`s of the project modules it imports, and, for a package `__init__`, its usual
   * subpackages (`cmd`, `tests`), whose programs run it first.
   */
  async sameProcessDeclarations(path: string, options: { probeChildren?: boolean; text?: string } = {}): Promise<ModelDeclaration[]> {
    const own = new Set(this.chain(path, options.text ?? (await this.project.readText(path))));
    const candidates = new Set<string>();
    const scan = await this.scan(path, options.text);
    for (const module of scan?.imports ?? []) {
      const parts = module.split(".");
      for (let i = 1; i <= parts.length; i++) candidates.add(`${parts.slice(0, i).join("/")}/__init__.py`);
    }
    if ((options.probeChildren ?? true) && path.endsWith("/__init__.py")) {
      const dir = path.slice(0, -"__init__.py".length);
      for (const child of PROBED_CHILDREN) candidates.add(`${dir}${child}`);
    }
    const found: ModelDeclaration[] = [];
    for (const candidate of [...candidates].sort()) {
      if (own.has(candidate)) continue;
      // Only the project's own packages: the top-level package must exist in this tree.
      const top = `${candidate.split("/")[0]}/__init__.py`;
      if (!(await this.scan(top))) continue;
      const declared = await this.scan(candidate);
      if (declared) found.push(...declared.declarations);
    }
    return found;
  }

  /** Every declaration scanned so far, by file. */
  async knownDeclarations(): Promise<ModelDeclaration[]> {
    const all: ModelDeclaration[] = [];
    for (const scan of this.scans.values()) {
      const resolved = await scan;
      if (resolved) all.push(...resolved.declarations);
    }
    return all;
  }
}

export { TRACKED_PACKAGES };
