/**
 * The ChangeSource of one Gerrit patch set: its files (FileInfo map), their bytes (base64 content
 * endpoint), their added lines (DiffInfo), other files of the same tree on demand, and the config at the
 * tip of the target branch.
 */
import { CONFIG_SOURCES } from "../../config/sources.js";
import { ChangedLines } from "../../diff/changed-lines.js";
import { changedLinesOfDiffInfo } from "../../diff/gerrit.js";
import { FileTooLarge, type ChangedFile, type ChangedFileStatus, type ChangeSource, type ConfigFile } from "../../review/change-source.js";
import { ResponseTooLarge, type FileInfo, type GerritClient } from "./client.js";

const MAGIC_PATHS = new Set(["/COMMIT_MSG", "/MERGE_LIST", "/PATCHSET_LEVEL"]);
const STATUS: Record<string, ChangedFileStatus> = { A: "added", D: "removed", R: "renamed", C: "copied", W: "modified" };

/** Runs `work` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

export class GerritChangeSource implements ChangeSource {
  private files?: Promise<Record<string, FileInfo>>;
  private readonly contents = new Map<string, Promise<Uint8Array | undefined>>();
  /** Content fetches stop past this (max_file_bytes, once the config is read). */
  private maxBytes?: number;

  constructor(
    private readonly client: GerritClient,
    /** Encoded change id (`project~number`). */
    readonly change: string,
    /** Patch set number. */
    readonly revision: number,
    readonly project: string,
    readonly branch: string,
  ) {}

  fileInfos(): Promise<Record<string, FileInfo>> {
    this.files ??= this.client.listFiles(this.change, this.revision).then((files) => {
      for (const path of MAGIC_PATHS) delete files[path];
      return files;
    });
    return this.files;
  }

  async listFiles(): Promise<ChangedFile[]> {
    const files = await this.fileInfos();
    return Object.entries(files)
      .filter(([, info]) => !info.binary)
      .map(([path, info]) => ({
        path,
        status: STATUS[info.status ?? ""] ?? "modified",
        ...(info.old_path ? { previousPath: info.old_path } : {}),
      }));
  }

  async changedLines(keep: (path: string) => boolean = () => true): Promise<ChangedLines> {
    const changed = new ChangedLines();
    const files = (await this.listFiles()).filter((f) => f.status !== "removed" && keep(f.path));
    await eachLimited(files, 4, async (file) => {
      if (file.status === "added") changed.addWholeFile(file.path);
      else changedLinesOfDiffInfo(file.path, await this.client.fileDiff(this.change, this.revision, file.path), changed, file.previousPath ?? file.path);
    });
    return changed;
  }

  limitFileBytes(maxBytes: number): void {
    this.maxBytes = maxBytes;
  }

  /** FileInfo's `size` (bytes at this revision) of a file the patch set touches. */
  async size(path: string): Promise<number | undefined> {
    const size = (await this.fileInfos())[path]?.size;
    return typeof size === "number" ? size : undefined;
  }

  readBytes(path: string): Promise<Uint8Array | undefined> {
    let bytes = this.contents.get(path);
    if (!bytes) {
      const limit = this.maxBytes;
      bytes = (async () => {
        const size = limit === undefined ? undefined : await this.size(path);
        if (limit !== undefined && size !== undefined && size > limit) throw new FileTooLarge(path, limit, size);
        try {
          return await this.client.fileContent(this.change, this.revision, path, limit);
        } catch (error) {
          if (error instanceof ResponseTooLarge) throw new FileTooLarge(path, error.limit);
          throw error;
        }
      })();
      this.contents.set(path, bytes);
    }
    return bytes;
  }

  /** Other files the analysis asks for (parent packages, requirements): one over the limit is absent. */
  async readText(path: string): Promise<string | undefined> {
    try {
      const bytes = await this.readBytes(path);
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    } catch (error) {
      if (error instanceof FileTooLarge) return undefined;
      throw error;
    }
  }

  async prefetch(paths: string[]): Promise<void> {
    await eachLimited(paths, 4, async (path) => {
      await this.readBytes(path).catch(() => undefined);
    });
  }

  /** A file at the target branch, where the change will land (as the config is read). */
  async readBaseText(path: string): Promise<string | undefined> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.client.branchFileContent(this.project, this.branch, path, this.maxBytes);
    } catch (error) {
      if (error instanceof ResponseTooLarge) return undefined;
      throw error;
    }
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  /** The candidates at the tip of the target branch, fetched side by side (one REST call each). */
  async readBaseConfig(): Promise<ConfigFile[]> {
    const found = await Promise.all(CONFIG_SOURCES.map((name) => this.client.branchFileContent(this.project, this.branch, name)));
    return CONFIG_SOURCES.flatMap((name, i) => (found[i] === undefined ? [] : [{ name, text: new TextDecoder().decode(found[i]) }]));
  }

  /** The number of lines of a file at this revision (to keep comments inside it). */
  async lineCount(path: string): Promise<number | undefined> {
    const text = await this.readText(path);
    if (text === undefined) return undefined;
    const lines = text.split("\n");
    return text.endsWith("\n") ? lines.length - 1 : lines.length;
  }
}
