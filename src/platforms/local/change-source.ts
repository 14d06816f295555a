/**
 * The CLI's change, read from the local checkout: with `--base`, `--staged` or `--diff`, the files a
 * diff adds lines to; without, the whole tree (every file of it counts as new). Either way it is a
 * ChangeSource, and `check` reviews it with the same reviewChange as GitHub and Gerrit.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Config } from "../../config/schema.js";
import type { ChangedLines } from "../../diff/changed-lines.js";
import { parseUnifiedDiff } from "../../diff/unified.js";
import type { Notice } from "../../model/finding.js";
import type { ProjectFiles } from "../../python/project-files.js";
import type { ChangedFile, ChangeSource, ConfigFile } from "../../review/change-source.js";
import { UsageError } from "./config.js";
import { DiskProjectFiles, readFileCappedSync } from "./disk.js";
import { changedSinceBase, GitRevisionFiles, mergeBase, repositoryRoot, stagedChanges } from "./git.js";
import { gitTop } from "./root.js";
import { walkFiles } from "./walk.js";

/** How many file reads run ahead of the analysis: enough to hide disk latency, few enough to stay small. */
const READ_AHEAD = 16;

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** `absolute` as a `/`-separated path inside `directory`, or undefined when it is outside. */
export function inside(directory: string, absolute: string): string | undefined {
  const rel = relative(directory, absolute);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? undefined : toPosix(rel);
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

export interface ChangeOptions {
  cwd: string;
  base?: string;
  /** A unified diff file, or "-" for standard input (read through `readStdin`). */
  diffFile?: string;
  staged?: boolean;
  readStdin?: () => Promise<string>;
}

/** What `--base`, `--staged` or `--diff` say changed, read once and asked about per project root. */
export class LocalChanges {
  private diff?: Promise<ChangedLines>;
  /** Per directory: the repository's root and the merge base (one git process each, however often asked). */
  private readonly roots = new Map<string, Promise<string>>();
  private readonly bases = new Map<string, Promise<string>>();
  constructor(private readonly options: ChangeOptions) {}

  private repositoryRoot(directory: string): Promise<string> {
    let root = this.roots.get(directory);
    if (!root) this.roots.set(directory, (root = repositoryRoot(directory)));
    return root;
  }

  private mergeBase(repoRoot: string): Promise<string> {
    let base = this.bases.get(repoRoot);
    if (!base) this.bases.set(repoRoot, (base = mergeBase(repoRoot, this.options.base!)));
    return base;
  }

  /** Whether a change was asked for at all (else the whole tree is reviewed). */
  get any(): boolean {
    const { options } = this;
    return !!options.diffFile || options.base !== undefined || !!options.staged;
  }

  /** The change, with paths relative to `directory` (files outside it are dropped). */
  async for(directory: string): Promise<ChangedLines | undefined> {
    const { options } = this;
    if (options.diffFile) {
      this.diff ??= this.readDiff(options.diffFile);
      const where = diffPathResolver(options.cwd);
      return (await this.diff).mapPaths((p) => inside(directory, where(p)));
    }
    if (options.base !== undefined || options.staged) {
      const repoRoot = await this.repositoryRoot(directory);
      const changed = options.staged ? await stagedChanges(repoRoot) : await changedSinceBase(repoRoot, options.base!, await this.mergeBase(repoRoot));
      return changed.mapPaths((p) => inside(directory, join(repoRoot, p)));
    }
    return undefined;
  }

  /** The base revision's files (`--base`: the merge base; `--staged`: HEAD); none for a diff file. */
  async baseFiles(directory: string): Promise<ProjectFiles | undefined> {
    const { options } = this;
    if (options.diffFile || (options.base === undefined && !options.staged)) return undefined;
    const repoRoot = await this.repositoryRoot(directory);
    const revision = options.staged ? "HEAD" : await this.mergeBase(repoRoot);
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

export interface LocalChangeSetup {
  /** Absolute project root: every path of the source is relative to it. */
  project: string;
  config: Config;
  /** A PATH that is one file: only it (given by the user, so reviewed whatever the globs say). */
  files?: string[];
  /** A directory PATH below the project root: only the files under it. */
  under?: string;
  /** With --base, --staged or --diff: the lines the change adds, and its base revision's files (not for a diff file). */
  change?: { changed: ChangedLines; base?: ProjectFiles };
}

export class LocalChangeSource implements ChangeSource {
  readonly readAhead = READ_AHEAD;
  readonly walk?: (notice: (notice: Notice) => void) => AsyncIterable<string> | Iterable<string>;
  readonly readBaseText?: (path: string) => Promise<string | undefined>;
  private readonly disk: DiskProjectFiles;

  constructor(private readonly setup: LocalChangeSetup) {
    this.disk = new DiskProjectFiles(setup.project, setup.config.max_file_bytes);
    const { change, files, under, config, project } = setup;
    if (!change) {
      this.walk = (notice) => files ?? walkFiles(project, config, (path, message) => notice({ path, message }), under);
    } else if (change.base) {
      const base = change.base;
      this.readBaseText = (path) => base.readText(path);
    }
  }

  /** The files the change adds lines to, in path order (a whole tree is walked instead). */
  async listFiles(): Promise<ChangedFile[]> {
    return (this.setup.change?.changed.paths() ?? []).sort().map((path) => ({ path, status: "modified" }));
  }

  /** The diff is already made (git diffs the whole repository at once): `keep` saves nothing here. */
  async changedLines(): Promise<ChangedLines> {
    return this.setup.change!.changed;
  }

  async readBytes(path: string): Promise<Uint8Array | undefined> {
    const read = await this.readForReview(path);
    return "bytes" in read ? read.bytes : undefined;
  }

  readText(path: string): Promise<string | undefined> {
    return this.disk.readText(path);
  }

  /** The CLI reads its config from the working tree (platforms/local/config.ts) and passes it in. */
  async readBaseConfig(): Promise<ConfigFile[]> {
    return [];
  }

  localFile(path: string): string {
    // Paths are `/`-separated and inside the project (a walk made them): no join, per file of a tree.
    return sep === "/" ? `${this.setup.project}/${path}` : join(this.setup.project, ...path.split("/"));
  }

  async readForReview(path: string): Promise<{ bytes: Uint8Array } | { notice?: string }> {
    const fromDiff = !!this.setup.change;
    // Synchronous: a local file is read in a fraction of the time a round trip through libuv's thread
    // pool costs, and a whole-tree run reads thousands (docs/benchmark.md). Size first: an oversized
    // file is never loaded into memory.
    const read = readFileCappedSync(this.localFile(path), this.setup.config.max_file_bytes);
    if (Buffer.isBuffer(read)) return { bytes: read };
    // A diff may name a file that is gone from the working tree (or is no file): nothing to review there.
    if (fromDiff && (read.code === "ENOENT" || read.skipped === "skipped: not a regular file")) return {};
    return { notice: read.skipped };
  }
}
