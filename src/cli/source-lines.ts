/** The source line of each finding, read once per file from the PATH it was found under. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Finding } from "../model/finding.js";

export type RootedFinding = Finding & { root: string };

export async function findingLines(findings: readonly RootedFinding[], directoryOf: (root: string) => string): Promise<string[]> {
  const files = new Map<string, Promise<string[]>>();
  return Promise.all(
    findings.map(async (f) => {
      const file = join(directoryOf(f.root), ...f.path.split("/"));
      let lines = files.get(file);
      if (!lines) {
        lines = readFile(file, "utf8").then(
          (text) => text.split(/\r?\n|\r/),
          () => [],
        );
        files.set(file, lines);
      }
      return (await lines)[f.line - 1] ?? "";
    }),
  );
}
