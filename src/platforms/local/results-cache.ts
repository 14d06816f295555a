/**
 * The results cache of `check` (issue 18), in `.eventlet-review-cache/` at the project root, like Ruff's
 * `.ruff_cache/`: a file's analysis is kept under its path and the hash of its bytes, in a cache file of
 * its own for each tool build, config, rule set and mode. A second run over an unchanged tree reads and
 * hashes every file and analyzes none.
 *
 * What else a result depends on: the project files the analysis read (parent `__init__`s, patch
 * modules, requirements, the modules a file imports from; a file found missing counts too). They are
 * recorded with their hashes as the run reads them. When one of them changed, every result that used
 * the project is dropped, and only the results of files that needed nothing but their own text
 * survive; a changed file that nothing read re-analyzes only itself.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { FileResult } from "../../analyzer/analyze.js";
import type { Analysis, Outcome } from "../../review/analysis.js";
import type { ProjectFiles } from "../../python/project-files.js";
import { toolVersion } from "../../model/version.js";
import { contentHash } from "../../analyzer/content-hash.js";
import { currentStamp, readStampedSync } from "./disk.js";

export const CACHE_DIRECTORY = ".eventlet-review-cache";
const FORMAT = 3;

interface Stored {
  format: number;
  /** Hashes of the project files the results read, `null` for files found missing. */
  reads: Record<string, string | null>;
  /** path → the stamp a read file had just before it was read: while its stat shows it, it is not read again. */
  readStamps: Record<string, string>;
  /** path → [hash of its bytes, result]; `0` for the common result: nothing found, not parsed. */
  results: Record<string, [string, FileResult | 0]>;
  /**
   * path → the file's stamp when those bytes were read (disk.ts fileStamp): a file whose stat still
   * shows it is not read again. The hash stays the key; the stamp only vouches that the bytes are those.
   */
  stamps: Record<string, string>;
}

let fingerprint: string | undefined;

declare const EVENTLET_REVIEW_BUNDLED_VERSION: string | undefined;

/**
 * The build of the tool: its version, and the size and time of every module of it, so that a rebuilt
 * checkout (same version, other rules) never reads results an older build wrote.
 */
function buildFingerprint(): string {
  if (fingerprint) return fingerprint;
  const self = fileURLToPath(import.meta.url);
  const parts: string[] = [toolVersion()];
  // A bundle (scripts/bundle.ts) is the files beside this one; otherwise src/ or dist/, three levels up.
  const code = typeof EVENTLET_REVIEW_BUNDLED_VERSION === "string" ? dirname(self) : dirname(dirname(dirname(self)));
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(js|mjs|ts|wasm)$/.test(entry.name)) {
        const info = statSync(path);
        parts.push(`${relative(code, path)}:${info.size}:${info.mtimeMs}`);
      }
    }
  };
  try {
    visit(code);
  } catch {
    parts.push(self); // unreadable: this build only
  }
  fingerprint = contentHash(parts.join("\n"));
  return fingerprint;
}

/** Cache files kept per project: each build, config and mode writes its own, so old ones pile up. */
const KEPT_FILES = 8;

/** Removes all but the KEPT_FILES most recently written cache files. */
function prune(directory: string): void {
  const files = readdirSync(directory)
    .filter((name) => /^results-.*\.json$/.test(name))
    .map((name) => ({ path: join(directory, name), time: statSync(join(directory, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const { path } of files.slice(KEPT_FILES)) rmSync(path, { force: true });
}

/** A project file's stamp now (disk.ts fileStamp), by its path from the project root. */
export type StampOf = (path: string) => string | undefined;

/** Reads through `inner` and notes what each path held, for the cache's record of what results depend on. */
export class RecordingProjectFiles implements ProjectFiles {
  readonly reads = new Map<string, string | null>();
  /** The stamp of each read file, taken before it was read (a change during the read moves it). */
  readonly stamps = new Map<string, string>();
  constructor(
    private readonly inner: ProjectFiles,
    private readonly stampOf?: StampOf,
  ) {}

  async readText(path: string): Promise<string | undefined> {
    const stamp = this.stampOf?.(path);
    const text = await this.inner.readText(path);
    this.reads.set(path, text === undefined ? null : contentHash(text));
    if (stamp !== undefined && text !== undefined) this.stamps.set(path, stamp);
    return text;
  }
}

export class ResultsCache {
  private readonly file: string;
  private stored: Stored = { format: FORMAT, reads: {}, readStamps: {}, results: {}, stamps: {} };
  private changed = false;

  /**
   * `key`: everything besides the files that decides results (the config as loaded, the enabled rules,
   * the mode). `readText` reads a project file now, to check the recorded reads against, unless
   * `stampOf` gives the stamp it was read under.
   */
  constructor(
    readonly root: string,
    key: unknown,
    private readonly readText: (path: string) => string | undefined,
    private readonly stampOf?: StampOf,
  ) {
    this.file = join(root, CACHE_DIRECTORY, `results-${contentHash(JSON.stringify([FORMAT, buildFingerprint(), key]))}.json`);
    this.load();
  }

  private load(): void {
    let stored: Stored;
    try {
      stored = JSON.parse(readFileSync(this.file, "utf8")) as Stored;
      if (stored.format !== FORMAT) return;
    } catch {
      return; // none yet, or unreadable: start empty
    }
    this.stored = stored;
    const stale = Object.entries(stored.reads).some(([path, hash]) => {
      const stamp = this.stampOf?.(path);
      if (stamp !== undefined && stored.readStamps[path] === stamp) return false;
      const text = this.readText(path);
      if ((text === undefined ? null : contentHash(text)) !== hash) return true;
      // The same bytes: the stamp taken before this read vouches for them from now on.
      this.noteReadStamp(path, text === undefined ? undefined : stamp);
      return false;
    });
    if (stale) {
      // A file the analysis read has changed: only the results that read nothing can stay.
      for (const [path, [, result]] of Object.entries(stored.results)) if (result !== 0 && result.project) delete stored.results[path];
      for (const path of Object.keys(stored.stamps)) if (!stored.results[path]) delete stored.stamps[path];
      stored.reads = {};
      stored.readStamps = {};
      this.changed = true;
    }
  }

  /** The hash `lookup` and `store` take: compute it before handing the bytes on (a transfer empties them). */
  hash(bytes: Uint8Array): string {
    return contentHash(bytes);
  }

  /** Whether a result for `path` is kept at all (if not, a lookup needs no hash). */
  has(path: string): boolean {
    return Object.hasOwn(this.stored.results, path);
  }

  lookup(path: string, hash: string): FileResult | undefined {
    const entry = this.stored.results[path];
    if (!entry || entry[0] !== hash) return undefined;
    return entry[1] === 0 ? { findings: [], notices: [], parsed: false } : entry[1];
  }

  /** The kept result of `path` when `stamp` is the one its bytes were read under (a file unchanged since). */
  lookupStamped(path: string, stamp: string | undefined): FileResult | undefined {
    const entry = this.stored.results[path];
    if (!entry || stamp === undefined || this.stored.stamps[path] !== stamp) return undefined;
    return this.lookup(path, entry[0]);
  }

  store(path: string, hash: string, result: FileResult, stamp?: string): void {
    const empty = !result.parsed && !result.project && result.findings.length === 0 && result.notices.length === 0;
    this.stored.results[path] = [hash, empty ? 0 : result];
    this.stamp(path, stamp);
    this.changed = true;
  }

  /** Notes (or forgets) the stamp the bytes of `path`'s kept result were read under. */
  stamp(path: string, stamp: string | undefined): void {
    if (this.stored.stamps[path] === stamp) return;
    if (stamp === undefined) delete this.stored.stamps[path];
    else this.stored.stamps[path] = stamp;
    this.changed = true;
  }

  /** Adds the reads of this run (RecordingProjectFiles.reads, and the stamps they were read under) to the record. */
  noteReads(reads: ReadonlyMap<string, string | null>, stamps: ReadonlyMap<string, string> = new Map()): void {
    for (const [path, hash] of reads) {
      this.noteReadStamp(path, stamps.get(path));
      if (this.stored.reads[path] === hash) continue;
      this.stored.reads[path] = hash;
      this.changed = true;
    }
  }

  private noteReadStamp(path: string, stamp: string | undefined): void {
    if (this.stored.readStamps[path] === stamp) return;
    if (stamp === undefined) delete this.stored.readStamps[path];
    else this.stored.readStamps[path] = stamp;
    this.changed = true;
  }

  /** Writes the cache (atomically: a run beside this one reads the old file or the new one). */
  save(): void {
    if (!this.changed) return;
    const directory = dirname(this.file);
    mkdirSync(directory, { recursive: true });
    // Like .ruff_cache: the directory ignores itself, so no project has to list it.
    writeFileSync(join(directory, ".gitignore"), "# Written by eventlet-review.\n*\n");
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.stored));
    renameSync(temporary, this.file);
    this.changed = false;
    prune(directory);
  }
}

/**
 * The analysis port (src/review/analysis.ts) with the results cache in front: a file whose bytes the
 * cache knows is not analyzed again. `recording` must be the ProjectFiles the inner analysis reads.
 */
export class CachedAnalysis implements Analysis {
  readonly window?: number;
  readonly analyzeLocal?: (path: string, file: string) => Promise<FileResult | { unread: string }>;

  constructor(
    private readonly inner: Analysis,
    private readonly cache: ResultsCache,
    private readonly recording: RecordingProjectFiles,
    /** max_file_bytes, for the files this class reads itself (analyzeLocal's cache hits). */
    private readonly maxBytes: number,
  ) {
    this.window = inner.window;
    const local = inner.analyzeLocal?.bind(inner);
    if (local) this.analyzeLocal = (path, file) => this.local(local, path, file);
  }

  /**
   * A file of the cache's is read and hashed here (a second run reads every file and analyzes none);
   * any other goes to the inner analysis, which returns its hash.
   */
  private async local(analyzeLocal: NonNullable<Analysis["analyzeLocal"]>, path: string, file: string): Promise<FileResult | { unread: string }> {
    if (this.cache.has(path)) {
      const unchanged = this.cache.lookupStamped(path, currentStamp(file));
      if (unchanged) return unchanged;
      const read = readStampedSync(file, this.maxBytes);
      if (!("bytes" in read)) return { unread: read.skipped };
      const hash = this.cache.hash(read.bytes);
      const known = this.cache.lookup(path, hash);
      // Found by its bytes: the stamp now vouches for them.
      if (known) this.cache.stamp(path, read.stamp);
      return known ?? this.stored(path, hash, await this.inner.analyze(path, read.bytes), read.stamp);
    }
    const analyzed = await analyzeLocal(path, file);
    if ("unread" in analyzed) return analyzed;
    const { hash, stamp, ...result } = analyzed;
    if (hash === undefined) throw new Error(`the analysis of ${path} returned no hash`);
    return this.stored(path, hash, result, stamp);
  }

  /** Keeps `result` unless it is an internal error, which is no answer about the file: try again next time. */
  private stored(path: string, hash: string, result: FileResult, stamp?: string): FileResult {
    if (!result.notices.some((n) => n.message.startsWith("internal error"))) this.cache.store(path, hash, result, stamp);
    return result;
  }

  keep(path: string): Promise<Outcome<boolean>> {
    return this.inner.keep(path);
  }

  async analyze(path: string, bytes: Uint8Array): Promise<FileResult> {
    const hash = this.cache.hash(bytes);
    const known = this.cache.lookup(path, hash);
    if (known) return known;
    return this.stored(path, hash, await this.inner.analyze(path, bytes));
  }

  factsLine(paths: string[]): Promise<string | undefined> {
    return this.inner.factsLine(paths);
  }

  async close(): Promise<void> {
    await this.inner.close();
    this.cache.noteReads(this.recording.reads, this.recording.stamps);
    try {
      this.cache.save();
    } catch {
      // A read-only tree still gets its findings; it just gets no cache.
    }
  }
}
