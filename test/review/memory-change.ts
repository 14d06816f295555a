/** A ChangeSource held in memory: every file is wholly added, and the base has the config given. */
import { ChangedLines } from "../../src/diff/changed-lines.js";
import type { ChangeSource } from "../../src/review/change-source.js";

export function memoryChange(files: Record<string, string | Uint8Array>, baseConfig?: string): ChangeSource & { reads: string[] } {
  const encoder = new TextEncoder();
  const bytesOf = (path: string) => {
    const content = files[path];
    return typeof content === "string" ? encoder.encode(content) : content;
  };
  const reads: string[] = [];
  return {
    reads,
    listFiles: async () => Object.keys(files).map((path) => ({ path, status: "added" as const })),
    changedLines: async () => {
      const changed = new ChangedLines();
      for (const path of Object.keys(files)) changed.addWholeFile(path);
      return changed;
    },
    readBytes: async (path) => {
      reads.push(path);
      return bytesOf(path);
    },
    readText: async (path) => (path in files ? new TextDecoder().decode(bytesOf(path)) : undefined),
    readBaseConfig: async () => (baseConfig === undefined ? [] : [{ name: ".eventlet-review.yaml", text: baseConfig }]),
  };
}
