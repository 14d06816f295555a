/**
 * `eventlet-review check`: analyze the files under each PATH (or only the files a change touches) and
 * keep the findings the change brings in. Files stream through one at a time (reads run a few files
 * ahead of the analysis), so memory stays flat however large the tree.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Analyzer, type FileResult } from "../analyzer/analyze.js";
import type { Finding, Notice } from "../model/finding.js";
import type { Config } from "../config/schema.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import { parseUnifiedDiff } from "../diff/unified.js";
import { scopeToChange } from "../review/scope.js";
import { fileFilter } from "../config/file-filter.js";
import { walkFiles } from "../platforms/local/walk.js";
import { WorkerCrash, WorkerPool, type FileAnalysis } from "./pool.js";
import { DiskProjectFiles } from "../platforms/local/disk.js";
import { changedSinceBase, GitRevisionFiles, mergeBase, repositoryRoot, stagedChanges } from "../platforms/local/git.js";
import { BaseFindings, dropMoved } from "../review/moved.js";
import type { ProjectFiles } from "../python/project-files.js";
import { loadConfigFor, UsageError } from "../platforms/local/config.js";
import { projectRoot } from "../platforms/local/root.js";

export interface CheckOptions {
  paths: string[];
  cwd: string;
  base?: string;
  /** A unified diff file, or "-" for standard input (read through `readStdin`). */
  diffFile?: string;
  staged?: boolean;
  configPath?: string;
  readStdin?: () => Promise<string>;
  /** Worker threads for the analysis; 1 (the default) analyzes on the main thread. */
  jobs?: number;
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

/** How many file reads run ahead of the analysis: enough to hide disk latency, few enough to stay small. */
const READ_AHEAD = 16;

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

function inside(directory: string, absolute: string): string | undefined {
  const rel = relative(directory, absolute);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? undefined : toPosix(rel);
}

/** The nearest directory from `start` up that holds `.git`, found without running git. */
function gitTop(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Paths in a diff are relative to where it was made: the current directory for `diff -u`, the
 * repository top for git (even when run in a subdirectory). A path that exists under the current
 * directory wins; otherwise it is read from the repository top.
 */
function diffPathResolver(cwd: string): (path: string) => string {
  const top = gitTop(cwd);
  return (path) => {
    const here = resolve(cwd, path);
    if (!top || existsSync(here)) return here;
    const fromTop = resolve(top, path);
    return existsSync(fromTop) ? fromTop : here;
  };
}

class ChangeReader {
  private diff?: Promise<ChangedLines>;
  constructor(private readonly options: CheckOptions) {}

  /** The change, with paths relative to `directory` (files outside it are dropped). */
  async for(directory: string): Promise<ChangedLines | undefined> {
    const { options } = this;
    if (options.diffFile) {
      this.diff ??= this.readDiff(options.diffFile);
      const where = diffPathResolver(options.cwd);
      return (await this.diff).mapPaths((p) => inside(directory, where(p)));
    }
    if (options.base !== undefined || options.staged) {
      const repoRoot = await repositoryRoot(directory);
      const changed = options.staged ? await stagedChanges(repoRoot) : await changedSinceBase(repoRoot, options.base!);
      return changed.mapPaths((p) => inside(directory, join(repoRoot, p)));
    }
    return undefined;
  }

  /** The base revision's files (`--base`: the merge base; `--staged`: HEAD); none for a diff file. */
  async baseFiles(directory: string): Promise<ProjectFiles | undefined> {
    const { options } = this;
    if (options.diffFile || (options.base === undefined && !options.staged)) return undefined;
    const repoRoot = await repositoryRoot(directory);
    const revision = options.staged ? "HEAD" : await mergeBase(repoRoot, options.base!);
    return new GitRevisionFiles(repoRoot, revision, directory);
  }

  private async readDiff(file: string): Promise<ChangedLines> {
    let text: string;
    if (file === "-") {
      const read = this.options.readStdin ?? (() => readFile("/dev/stdin", "utf8"));
      text = await read();
    } else {
      text = await readFile(resolve(this.options.cwd, file), "utf8").catch(() => {
        throw new UsageError(`cannot read diff file ${file}`);
      });
    }
    return parseUnifiedDiff(text);
  }
}

type Loaded = { path: string; bytes: Uint8Array } | { path: string; notice?: string };

async function load(directory: string, path: string, maxBytes: number, fromDiff: boolean): Promise<Loaded> {
  const absolute = join(directory, ...path.split("/"));
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return fromDiff ? { path } : { path, notice: "skipped: not a regular file" };
    // Say why before reading: an oversized file is never loaded into memory.
    if (info.size > maxBytes) {
      return { path, notice: `skipped: ${info.size} bytes is over the ${maxBytes}-byte limit (max_file_bytes)` };
    }
    return { path, bytes: await readFile(absolute) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A diff may name a file that is gone from the working tree: nothing to review there.
    if (fromDiff && code === "ENOENT") return { path };
    return { path, notice: `skipped: cannot read (${code ?? (error as Error).message})` };
  }
}

/** Starts reading up to READ_AHEAD files before they are needed, yielding them in order. */
async function* readAhead(
  paths: AsyncIterable<string> | Iterable<string>,
  read: (path: string) => Promise<Loaded>,
): AsyncGenerator<Loaded> {
  const pending: Promise<Loaded>[] = [];
  for await (const path of paths) {
    pending.push(read(path));
    if (pending.length >= READ_AHEAD) yield await pending.shift()!;
  }
  while (pending.length) yield await pending.shift()!;
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

function inProcess(analyzer: Analyzer): FileAnalysis {
  return { analyze: (path, bytes) => analyzer.analyzeBytes(path, bytes), close: async () => {} };
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const roots = await resolveRoots({ ...options, paths: options.paths.length ? options.paths : ["."] });
  const loaded = await loadConfigFor(roots[0].root.directory, options.configPath, options.cwd);
  const config = options.adjustConfig ? options.adjustConfig(loaded) : loaded;
  const result: CheckResult = { config, findings: [], notices: [], roots: roots.map((r) => r.root), filesChecked: 0, filesParsed: 0 };
  const changes = new ChangeReader(options);
  const keep = fileFilter(config);
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));

  for (const [index, { root, files, under }] of roots.entries()) {
    // The analysis sees paths from the project root, so `check pkg/cmd` judges roles and globs as
    // `check .` does; the output keeps paths relative to the PATH given.
    const project = root.project;
    const fromProject = (path: string) => inside(root.directory, join(project, ...path.split("/"))) ?? path;
    const isUnder = (path: string) => files ? files.includes(path) : !under || path.startsWith(`${under}/`);
    const changed = (await changes.for(project))?.mapPaths((p) => (isUnder(p) ? p : undefined));
    // A whole-tree run lists legacy migration findings (EVL501) at info; a change review keeps errors.
    const mode = changed ? "change" : "tree";
    const analysis: FileAnalysis =
      jobs > 1
        ? new WorkerPool(jobs, { config, directory: project, mode })
        : inProcess(new Analyzer(config, new DiskProjectFiles(project, config.max_file_bytes), undefined, { mode }));
    if (changed) root.changed = changed.mapPaths(fromProject);
    const notice = (path: string, message: string) => result.notices.push({ path: fromProject(path), message });
    // The base revision's files, keyed like the analysis (project-relative), for moved-code detection.
    const baseFiles = changed ? await changes.baseFiles(project) : undefined;
    const base = baseFiles ? new BaseFindings(config, baseFiles) : undefined;
    const headFiles = new DiskProjectFiles(project, config.max_file_bytes);
    const candidates: AsyncIterable<string> | string[] = changed
      ? changed.paths().filter((p) => keep(p)).sort()
      : (files ?? walkFiles(project, config, notice, under));
    const loaded = readAhead(candidates, (path) => load(project, path, config.max_file_bytes, !!changed));
    // Files go out to the analysis as they are read (up to `window` at once) and come back in order.
    const window = jobs > 1 ? jobs * 4 : 1;
    const inFlight: { path: string; notice?: string; analyzed?: Promise<FileResult | Error> }[] = [];
    const settle = async (item: (typeof inFlight)[number]) => {
      if (!item.analyzed) {
        if (item.notice) notice(item.path, item.notice);
        return;
      }
      result.filesChecked++;
      const analyzed = await item.analyzed;
      if (analyzed instanceof WorkerCrash) throw analyzed;
      if (analyzed instanceof Error) {
        // One file the analyzer chokes on must not cost the review of all the others.
        notice(item.path, `internal error, file not analyzed: ${analyzed.message}`);
      } else {
        if (analyzed.parsed) result.filesParsed++;
        for (const n of analyzed.notices) notice(n.path, n.message);
        let kept = changed ? scopeToChange(analyzed.findings, changed) : analyzed.findings;
        if (changed && base && kept.length > 0) {
          const text = await readFile(join(project, ...item.path.split("/")), "utf8");
          kept = await dropMoved(kept, text.split(/\r?\n|\r/), changed, base, headFiles);
        }
        for (const finding of kept) {
          const shown: Finding & { root: string } = { ...finding, path: fromProject(finding.path), root: `PATH${index + 1}` };
          if (finding.related) shown.related = finding.related.map((r) => ({ ...r, path: fromProject(r.path) }));
          result.findings.push(shown);
        }
      }
      options.onProgress?.(result.filesChecked, result.findings.length);
    };
    try {
      for await (const file of loaded) {
        if (!("bytes" in file)) inFlight.push({ path: file.path, notice: file.notice });
        else {
          const analyzed = analysis.analyze(file.path, file.bytes).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
          inFlight.push({ path: file.path, analyzed });
        }
        while (inFlight.filter((i) => i.analyzed).length >= window || (inFlight.length && !inFlight[0].analyzed)) await settle(inFlight.shift()!);
      }
      while (inFlight.length) await settle(inFlight.shift()!);
    } finally {
      await analysis.close();
    }
  }
  return result;
}

