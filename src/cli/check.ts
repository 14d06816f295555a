/**
 * `eventlet-review check`: review the files under each PATH (or only the lines a change adds) with
 * the same reviewChange as GitHub and Gerrit, over a LocalChangeSource (src/platforms/local/). Files
 * stream through one at a time (reads run a few files ahead of the analysis), so memory stays flat
 * however large the tree; results come from the cache in `.eventlet-review-cache/` where it has them.
 */
import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Finding, Notice } from "../model/finding.js";
import type { Config } from "../config/schema.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import { InProcessAnalysis, type StartAnalysis } from "../review/analysis.js";
import { reviewChange } from "../review/review.js";
import { inside, LocalChanges, LocalChangeSource, type ChangeOptions } from "../platforms/local/change-source.js";
import { currentStamp, DiskProjectFiles, readTextSync } from "../platforms/local/disk.js";
import { CachedAnalysis, RecordingProjectFiles, ResultsCache } from "../platforms/local/results-cache.js";
import { loadConfigFor, UsageError } from "../platforms/local/config.js";
import { projectRoot } from "../platforms/local/root.js";
import { TreeAnalysis } from "../platforms/local/tree-analysis.js";
import type { ProjectFiles } from "../python/project-files.js";

export interface CheckOptions extends ChangeOptions {
  paths: string[];
  configPath?: string;
  /** False: neither read nor write the results cache (`--no-cache`). */
  cache?: boolean;
  /** Changes the loaded config before the run (the CLI's --select/--ignore). */
  adjustConfig?: (config: Config) => Config;
  /** Called after each file, for progress display. */
  onProgress?: (filesDone: number, findings: number) => void;
}

export interface CheckRoot {
  /** As given on the command line. */
  given: string;
  /** Absolute directory that finding paths are relative to. */
  directory: string;
  /** The PATH is one file (finding paths are then relative to the current directory). */
  file?: boolean;
  /** Absolute project root that roles and globs are judged from (see platforms/local/root.ts). */
  project: string;
  /** With --base, --diff or --staged: the lines the change adds, keyed like finding paths. */
  changed?: ChangedLines;
}

export interface CheckResult {
  config: Config;
  findings: (Finding & { root: string })[];
  notices: Notice[];
  roots: CheckRoot[];
  filesChecked: number;
  filesParsed: number;
}

interface Root {
  root: CheckRoot;
  /** Set when the PATH is a single file: its path from the project root. */
  files?: string[];
  /** For a directory PATH: its path from the project root ("" when it is the root). */
  under?: string;
}

async function resolveRoots(options: CheckOptions): Promise<Root[]> {
  const roots: Root[] = [];
  for (const given of options.paths) {
    const absolute = resolve(options.cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or directory: ${given}`);
    if (info.isDirectory()) {
      const project = projectRoot(absolute, !!options.configPath);
      roots.push({ root: { given, directory: absolute, project }, under: inside(project, absolute) ?? "" });
    } else {
      // A single file: paths stay relative to the current directory, where its package lives.
      const directory = inside(options.cwd, absolute) ? options.cwd : dirname(absolute);
      const project = projectRoot(dirname(absolute), !!options.configPath);
      roots.push({ root: { given, directory, project, file: true }, files: [inside(project, absolute) ?? inside(directory, absolute)!] });
    }
  }
  return roots;
}

/** The analysis port for one project root: this thread, behind the results cache unless `--no-cache`. */
function analysisFor(project: string, cache: boolean): StartAnalysis {
  return (setup) => {
    const maxBytes = setup.config.max_file_bytes;
    const disk = new DiskProjectFiles(project, maxBytes);
    // A whole tree is thousands of files: read and screened on a second thread beside the parse.
    const analysis = (files: ProjectFiles) => (setup.mode === "tree" ? new TreeAnalysis(setup, files) : new InProcessAnalysis(setup, files));
    if (!cache) return analysis(disk);
    const stampOf = (path: string) => currentStamp(join(project, ...path.split("/")));
    const recording = new RecordingProjectFiles(disk, stampOf);
    const results = new ResultsCache(project, { config: setup.config, mode: setup.mode }, (path) => readTextSync(project, path, maxBytes), stampOf);
    return new CachedAnalysis(analysis(recording), results, recording, maxBytes);
  };
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const roots = await resolveRoots({ ...options, paths: options.paths.length ? options.paths : ["."] });
  const loaded = await loadConfigFor(roots[0].root.directory, options.configPath, options.cwd);
  const config = options.adjustConfig ? options.adjustConfig(loaded) : loaded;
  const result: CheckResult = { config, findings: [], notices: [], roots: roots.map((r) => r.root), filesChecked: 0, filesParsed: 0 };
  const changes = new LocalChanges(options);

  for (const [index, { root, files, under }] of roots.entries()) {
    // The review sees paths from the project root, so `check pkg/cmd` judges roles and globs as
    // `check .` does; the output keeps paths relative to the PATH given.
    const project = root.project;
    const fromProject = (path: string) => inside(root.directory, join(project, ...path.split("/"))) ?? path;
    const isUnder = (path: string) => (files ? files.includes(path) : !under || path.startsWith(`${under}/`));
    const changed = (await changes.for(project))?.mapPaths((p) => (isUnder(p) ? p : undefined));
    if (changed) root.changed = changed.mapPaths(fromProject);
    // The base revision's files, keyed like the review (project-relative), for moved-code detection.
    const change = changed ? { changed, base: await changes.baseFiles(project) } : undefined;
    const source = new LocalChangeSource({ project, config, files, under, change });
    const before = { files: result.filesChecked, findings: result.findings.length };
    const review = await reviewChange(source, {
      config,
      analysis: analysisFor(project, options.cache ?? true),
      facts: false,
      onProgress: options.onProgress && ((files, findings) => options.onProgress!(before.files + files, before.findings + findings)),
    });
    result.filesChecked += review.filesAnalyzed ?? 0;
    result.filesParsed += review.filesParsed ?? 0;
    for (const notice of review.notices) result.notices.push({ path: fromProject(notice.path), message: notice.message });
    for (const finding of review.findings) {
      const shown: Finding & { root: string } = { ...finding, path: fromProject(finding.path), root: `PATH${index + 1}` };
      if (finding.related) shown.related = finding.related.map((r) => ({ ...r, path: fromProject(r.path) }));
      result.findings.push(shown);
    }
  }
  return result;
}
