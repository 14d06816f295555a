/**
 * Added lines between two texts, for files whose `patch` GitHub leaves out of the pull request's file
 * list (large diffs): jsdiff's Myers diff of the two line arrays. Past `maxEdits` differences every new
 * line counts as added: a review that scopes too widely is better than one that misses the change.
 */
import { diffArrays } from "diff";

export function addedLinesBetween(oldText: string, newText: string, maxEdits = 20000): number[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  // Trim the common prefix and suffix: most large files change in a few places.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const changes = diffArrays(a.slice(start, endA), b.slice(start, endB), { maxEditLength: maxEdits });
  if (changes === undefined) return range(start + 1, endB);
  const added: number[] = [];
  let line = start; // new-side lines passed so far
  for (const change of changes) {
    if (change.removed) continue;
    if (change.added) for (let i = 1; i <= change.count; i++) added.push(line + i);
    line += change.count;
  }
  return added;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
