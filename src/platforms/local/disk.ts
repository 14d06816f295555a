/** ProjectFiles on the local disk: the CLI's window onto the rest of the tree. */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import type { ProjectFiles } from "../../python/project-files.js";

/** max_file_bytes' default (config/schema.ts), for callers without a config. */
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * A regular file's bytes, size first (readRegularFile, below); a missing or unreadable file throws.
 * Returns why not as a string for a file it will not read (not a regular file, over `maxBytes`).
 */
export async function readCapped(absolute: string, maxBytes: number): Promise<Buffer | { skipped: string }> {
  const read = readRegularFile(absolute, maxBytes);
  return "bytes" in read ? read.bytes : read;
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

/** Why a file was not read (readFileSync's answer when it is not the bytes). */
export interface NotRead {
  skipped: string;
  /** The error code when the file could not be opened or read (ENOENT, EACCES…). */
  code?: string;
}

/**
 * A regular file's bytes, size first, in one open: opened without blocking (a FIFO would wait for a
 * writer), then judged by its own descriptor's fstat, so a FIFO, a device and a file over `maxBytes`
 * are never read, and a file costs no separate stat of its path. At most `maxBytes + 1` bytes are read
 * even if the file grows meanwhile. Throws what opening or reading threw.
 */
function readRegularFile(absolute: string, maxBytes: number): Stamped | { skipped: string } {
  let fd: number | undefined;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    // A socket cannot be opened (ENXIO): it is no regular file either.
    if ((error as NodeJS.ErrnoException).code === "ENXIO") return { skipped: "skipped: not a regular file" };
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { skipped: "skipped: not a regular file" };
    if (info.size > maxBytes) return { skipped: `skipped: ${info.size} bytes is over the ${maxBytes}-byte limit (max_file_bytes)` };
    // Room for one byte past the size fstat gave: a file that grew meanwhile is read on, up to the limit.
    let buffer = Buffer.allocUnsafe(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) break;
        const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) return { skipped: `skipped: more than the ${maxBytes}-byte limit (max_file_bytes)` };
    // A file that changed size while read has no stamp to vouch for these bytes.
    return { bytes: buffer.subarray(0, length), stamp: length === info.size ? fileStamp(info) : undefined };
  } finally {
    closeSync(fd);
  }
}

/** How long a file must have stood unchanged before its stamp vouches for its bytes. */
const SETTLED_MS = 2000;

/**
 * What a later stat of an unchanged file repeats (size, inode, change and modification times), for the
 * results cache to skip reading it: as git's index and Ruff's cache trust file metadata. Undefined for
 * a file changed in the last SETTLED_MS (a change within the clock's resolution would leave the times
 * as they are) and for what is not a regular file.
 */
export function fileStamp(info: Stats, now = Date.now()): string | undefined {
  if (!info.isFile() || now - info.mtimeMs < SETTLED_MS || now - info.ctimeMs < SETTLED_MS) return undefined;
  return `${info.size}:${info.ino}:${info.mtimeMs}:${info.ctimeMs}`;
}

/** The file's stamp now (fileStamp), or undefined when it cannot be stat'ed. */
export function currentStamp(absolute: string): string | undefined {
  try {
    return fileStamp(statSync(absolute));
  } catch {
    return undefined;
  }
}

/** A file's bytes and their stamp (fileStamp, taken before reading them; undefined when it vouches for nothing). */
export interface Stamped {
  bytes: Buffer;
  stamp: string | undefined;
}

/** readRegularFile for callers that take a missing or unreadable file as one more reason: never throws. */
export function readFileCappedSync(absolute: string, maxBytes: number): Buffer | NotRead {
  const read = readStampedSync(absolute, maxBytes);
  return "bytes" in read ? read.bytes : read;
}

/** readFileCappedSync with the bytes' stamp, for the results cache. */
export function readStampedSync(absolute: string, maxBytes: number): Stamped | NotRead {
  try {
    return readRegularFile(absolute, maxBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { skipped: `skipped: cannot read (${code ?? (error as Error).message})`, ...(code ? { code } : {}) };
  }
}

/**
 * DiskProjectFiles.readText, synchronously, with readRegularFile's rules; undefined for a file that is
 * missing, unreadable or too large.
 */
export function readTextSync(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): string | undefined {
  const read = readFileCappedSync(join(root, ...path.split("/")), maxBytes);
  return Buffer.isBuffer(read) ? read.toString("utf8") : undefined;
}
