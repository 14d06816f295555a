/**
 * `eventlet-review check`: analyze the files under each PATH (or only the files a change touches) and
 * keep the findings the change brings in. Files stream through one at a time, so memory stays flat.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Analyzer } from "../analyzer/analyze.js";
import type { ProjectFiles } from "../analyzer/project.js";
import type { Finding, Notice } from "../analyzer/types.js";
import { CONFIG_FILE_NAMES, ConfigError, defaultConfig, parseConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import { parseUnifiedDiff } from "../diff/unified.js";
import { scopeToChange } from "../review/scope.js";
import { fileFilter } from "../config/file-filter.js";
import { walkFiles } from "./files.js";
import { changedSinceBase, repositoryRoot, stagedChanges } from "./git.js";

export class UsageError extends Error {}

export interface CheckOptions {
  paths: string[];
  cwd: string;
  base?: string;
  diffFile?: string;
  staged?: boolean;
  configPath?: string;
  /** Called after each file, for progress display. */
  onProgress?: (filesDone: number, findings: number) => void;
}

export interface CheckRoot {
  /** As given on the command line. */
  given: string;
  /** Absolute directory that finding paths are relative to. */
  directory: string;
}

export interface CheckResult {
  config: Config;
  findings: (Finding & { root: string })[];
  notices: Notice[];
  roots: CheckRoot[];
  filesChecked: number;
  filesParsed: number;
}

class DiskProjectFiles implements ProjectFiles {
  constructor(private readonly root: string) {}
  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, ...path.split("/")), "utf8");
    } catch {
      return undefined;
    }
  }
}

/** `--config FILE`, else the first `.eventlet-review.yaml` from the directory up to the repository top. */
export async function loadConfigFor(directory: string, configPath?: string): Promise<Config> {
  if (configPath) {
    const text = await readFile(configPath, "utf8").catch(() => {
      throw new UsageError(`cannot read config file ${configPath}`);
    });
    return parseConfig(text, configPath);
  }
  for (let dir = directory; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return parseConfig(await readFile(candidate, "utf8"), relative(process.cwd(), candidate) || name);
    }
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) return defaultConfig();
  }
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

async function changeFor(options: CheckOptions, directory: string): Promise<ChangedLines | undefined> {
  if (options.diffFile) {
    const diff = await readFile(options.diffFile === "-" ? "/dev/stdin" : options.diffFile, "utf8").catch(() => {
      throw new UsageError(`cannot read diff file ${options.diffFile}`);
    });
    // Diff paths are relative to where the diff was made: the current directory.
    return parseUnifiedDiff(diff).mapPaths((p) => inside(directory, resolve(options.cwd, p)));
  }
  if (options.base || options.staged) {
    const repoRoot = await repositoryRoot(directory);
    const changed = options.staged ? await stagedChanges(repoRoot) : await changedSinceBase(repoRoot, options.base!);
    return changed.mapPaths((p) => inside(directory, join(repoRoot, p)));
  }
  return undefined;
}

function inside(directory: string, absolute: string): string | undefined {
  const rel = relative(directory, absolute);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? undefined : toPosix(rel);
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  if (options.paths.length === 0) options.paths = ["."];
  const roots: { root: CheckRoot; files?: string[] }[] = [];
  for (const given of options.paths) {
    const absolute = resolve(options.cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or directory: ${given}`);
    if (info.isDirectory()) roots.push({ root: { given, directory: absolute } });
    else {
      // A single file: paths stay relative to the current directory, where its package lives.
      const directory = inside(options.cwd, absolute) ? options.cwd : dirname(absolute);
      roots.push({ root: { given, directory }, files: [inside(directory, absolute)!] });
    }
  }
  const config = await loadConfigFor(roots[0].root.directory, options.configPath);
  const result: CheckResult = { config, findings: [], notices: [], roots: roots.map((r) => r.root), filesChecked: 0, filesParsed: 0 };

  for (const [index, { root, files }] of roots.entries()) {
    const analyzer = new Analyzer(config, new DiskProjectFiles(root.directory));
    const changed = await changeFor(options, root.directory);
    const keep = fileFilter(config);
    const candidates: AsyncIterable<string> | string[] = changed
      ? changed.paths().filter((p) => keep(p) && (!files || files.includes(p))).sort()
      : (files ?? walkFiles(root.directory, config));
    for await (const path of candidates) {
      const bytes = await readFile(join(root.directory, ...path.split("/"))).catch(() => undefined);
      if (!bytes) continue; // deleted since the diff was made
      const file = await analyzer.analyzeBytes(path, bytes);
      result.filesChecked++;
      if (file.parsed) result.filesParsed++;
      result.notices.push(...file.notices);
      const kept = changed ? scopeToChange(file.findings, changed) : file.findings;
      for (const finding of kept) result.findings.push({ ...finding, root: `PATH${index + 1}` });
      options.onProgress?.(result.filesChecked, result.findings.length);
    }
  }
  return result;
}

export { ConfigError };
