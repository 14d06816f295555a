/** ProjectFiles on the local disk: the CLI's window onto the rest of the tree. */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ProjectFiles } from "../../python/project-files.js";

/** max_file_bytes' default (config/schema.ts), for callers without a config. */
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * A regular file's bytes, size first: a FIFO or device (which would block or never end) and a file
 * over `maxBytes` are never read. At most `maxBytes + 1` bytes are read even if the file grows meanwhile.
 * Returns why not as a string.
 */
export async function readCapped(absolute: string, maxBytes: number): Promise<Buffer | { skipped: string }> {
  const info = await stat(absolute);
  if (!info.isFile()) return { skipped: "skipped: not a regular file" };
  if (info.size > maxBytes) return { skipped: `skipped: ${info.size} bytes is over the ${maxBytes}-byte limit (max_file_bytes)` };
  const handle = await open(absolute, "r");
  try {
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) return { skipped: `skipped: more than the ${maxBytes}-byte limit (max_file_bytes)` };
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

export class DiskProjectFiles implements ProjectFiles {
  constructor(
    private readonly root: string,
    /** Files over this (max_file_bytes) read as absent, as do FIFOs and other non-regular files. */
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  /** Synchronously (readTextSync): a local read costs less than its round trip through libuv's thread pool. */
  async readText(path: string): Promise<string | undefined> {
    return readTextSync(this.root, path, this.maxBytes);
  }
}

/**
 * DiskProjectFiles.readText, synchronously, with readCapped's rules: size first, only regular files,
 * at most `maxBytes + 1` bytes read; undefined for a file that is missing, unreadable or too large.
 */
export function readTextSync(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): string | undefined {
  let fd: number | undefined;
  try {
    const absolute = join(root, ...path.split("/"));
    const info = statSync(absolute);
    if (!info.isFile() || info.size > maxBytes) return undefined;
    fd = openSync(absolute, "r");
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) break;
    }
    return length > maxBytes ? undefined : buffer.toString("utf8", 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
