/**
 * Gerrit's DiffInfo (`GET .../files/{path}/diff`) → the new-side lines the revision adds. Gerrit sends
 * the whole file as chunks: `ab` (on both sides), `a` (only old), `b` (only new), `skip` (common lines
 * left out of a large file). Every `b` line is new; `ab` and `skip` only move the counters.
 */
import type { DiffContent, DiffInfo } from "@gerritcodereview/typescript-api/diff.js";
import { ChangedLines } from "./changed-lines.js";

export type { DiffContent, DiffInfo };

/** 1-based new-side line numbers that `diff` adds (empty for a deleted or binary file). */
export function addedLinesOfDiffInfo(diff: Pick<DiffInfo, "content" | "meta_b" | "binary">): number[] {
  if (diff.binary || !diff.meta_b) return [];
  const added: number[] = [];
  let b = 0;
  for (const chunk of diff.content ?? []) {
    if (chunk.ab) b += chunk.ab.length;
    if (chunk.skip !== undefined) b += typeof chunk.skip === "number" ? chunk.skip : chunk.skip.right;
    if (chunk.b) {
      for (let i = 1; i <= chunk.b.length; i++) added.push(b + i);
      b += chunk.b.length;
    }
  }
  return added;
}

/** Text of the old-side lines that `diff` removes (its `a` chunks). */
export function removedLinesOfDiffInfo(diff: Pick<DiffInfo, "content" | "binary">): string[] {
  if (diff.binary) return [];
  return (diff.content ?? []).flatMap((chunk) => chunk.a ?? []);
}

/**
 * The same, as ChangedLines for one path; an added file (no `meta_a`) counts as wholly new. Removed
 * lines are kept under `oldPath` (the file's name before a rename), so moves can be recognised.
 */
export function changedLinesOfDiffInfo(path: string, diff: DiffInfo, into = new ChangedLines(), oldPath = path): ChangedLines {
  if (!diff.meta_a && diff.meta_b && !diff.binary) into.addWholeFile(path);
  else into.addLines(path, addedLinesOfDiffInfo(diff));
  into.addRemoved(oldPath, removedLinesOfDiffInfo(diff));
  return into;
}
