/**
 * Unified diffs (git diff, GitHub's per-file `patch`, any `diff -u`) → the new-side line numbers
 * that each file adds.
 */
import { ChangedLines } from "./changed-lines.js";

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** Added new-side lines of the hunks in `patch` (a file's hunks without headers, as GitHub sends). */
export function addedLinesOfHunks(patch: string): number[] {
  const added: number[] = [];
  let newLine = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      newLine = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("+")) added.push(newLine++);
    else if (line.startsWith(" ") || line === "") newLine++;
    // "-" lines and "\ No newline at end of file" do not move the new side.
  }
  return added;
}

/** Text of the old-side lines that the hunks in `patch` remove (GitHub's per-file `patch`). */
export function removedLinesOfHunks(patch: string): string[] {
  const removed: string[] = [];
  let inHunk = false;
  for (const line of patch.split("\n")) {
    if (HUNK.test(line)) inHunk = true;
    else if (inHunk && line.startsWith("-")) removed.push(line.slice(1));
  }
  return removed;
}

function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  // git C-quotes unusual names: "a/t\303\251st.py"
  const inner = path.slice(1, -1).replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const bytes = Uint8Array.from(inner, (c) => c.charCodeAt(0) & 0xff);
  return new TextDecoder().decode(bytes).replace(/\\(["\\tn])/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c));
}

function stripPrefix(path: string, strip: number): string {
  const parts = unquote(path.split("\t")[0]).split("/");
  // `diff -u old.py new.py` names bare files: keep the name rather than strip it to nothing.
  return parts.length > strip ? parts.slice(strip).join("/") : parts[parts.length - 1];
}

const HUNK_COUNTS = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses a multi-file unified diff; `strip` drops leading path components as `patch -p` does. Hunk
 * bodies are consumed by their line counts, so an added line that reads "+++ x" is never a header.
 */
export function parseUnifiedDiff(diff: string, strip = 1): ChangedLines {
  const changed = new ChangedLines();
  let path: string | undefined;
  let oldPath: string | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  for (const line of diff.split(/\r?\n/)) {
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith("+")) {
        if (path !== undefined) changed.addLines(path, [newLine]);
        newLine++;
        newLeft--;
      } else if (line.startsWith("-")) {
        if (oldPath !== undefined) changed.addRemoved(oldPath, [line.slice(1)]);
        oldLeft--;
      } else if (!line.startsWith("\\")) {
        newLine++;
        newLeft--;
        oldLeft--;
      }
      continue;
    }
    const hunk = HUNK_COUNTS.exec(line);
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLine = Number(hunk[2]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      if (path !== undefined) changed.addLines(path, []);
    } else if (line.startsWith("diff --git ")) {
      path = undefined;
      oldPath = undefined;
    } else if (line.startsWith("--- ")) {
      const source = line.slice(4);
      oldPath = source.startsWith("/dev/null") ? undefined : stripPrefix(source, strip);
    } else if (line.startsWith("+++ ")) {
      const target = line.slice(4);
      path = target.startsWith("/dev/null") ? undefined : stripPrefix(target, strip);
    }
  }
  return changed;
}

/**
 * The whole text of the file a patch adds: one hunk `@@ -0,0 +1,N @@` of N `+` lines (GitHub sends an
 * added file's patch in full, so its content needs no download). Undefined when the patch is anything
 * else (not an added file, or cut short).
 */
export function addedFileText(patch: string): string | undefined {
  const lines = patch.split("\n");
  const hunk = /^@@ -0,0 \+(?:1(?:,(\d+))?|0,0) @@$/.exec(lines[0] ?? "");
  if (!hunk) return undefined;
  const count = lines[0].includes("+0,0") ? 0 : hunk[1] === undefined ? 1 : Number(hunk[1]);
  let body = lines.slice(1);
  let finalNewline = true;
  if (body[body.length - 1] === "\\ No newline at end of file") {
    finalNewline = false;
    body = body.slice(0, -1);
  }
  if (body.length === count + 1 && body[count] === "") body = body.slice(0, count);
  if (body.length !== count || body.some((line) => !line.startsWith("+"))) return undefined;
  if (count === 0) return "";
  const text = body.map((line) => line.slice(1)).join("\n");
  return finalNewline ? `${text}\n` : text;
}
