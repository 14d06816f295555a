/**
 * One file of a whole-tree check read, hashed for the results cache and screened (analyzer/screen.ts):
 * on the screening thread (./screen-worker.ts), and on the main thread until that thread has loaded.
 */
import { contentHash } from "../../analyzer/content-hash.js";
import type { Screen, Screened } from "../../analyzer/screen.js";
import { readStampedSync } from "./disk.js";

export type ScreenResult =
  | { hash: string; screened: Screened; stamp?: string }
  /** Why the file was not read (readFileCappedSync's reason). */
  | { unread: string }
  | { error: string };

export function screenFile(screen: Screen, absolute: string, maxBytes: number): ScreenResult {
  try {
    const read = readStampedSync(absolute, maxBytes);
    if (!("bytes" in read)) return { unread: read.skipped };
    return { hash: contentHash(read.bytes), screened: screen.bytes(read.bytes), ...(read.stamp ? { stamp: read.stamp } : {}) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
