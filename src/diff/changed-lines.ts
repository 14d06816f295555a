/**
 * The lines a change adds, per file: the one question diff scoping asks is "is this line new?". It also
 * keeps the text of the lines the change removes (by old path), so a line that only moved can be told
 * from a new one.
 */

/**
 * Identity of a line's code, as git's --color-moved compares them: whitespace aside, and without a trailing
 * comment (designate added `# noqa` to the patch line it moved). A `#` followed by a quote may be inside a
 * string, so such a tail is kept.
 */
export function lineKey(text: string): string {
  return text.replace(/\s+#[^'"]*$/, "").trim().replace(/\s+/g, " ");
}

/** Lines too plain to say anything about where code came from (`)`, `else:`, blank). */
function meaningful(key: string): boolean {
  return key.length >= 6 && /[A-Za-z_]/.test(key);
}

export class ChangedLines {
  private readonly files = new Map<string, Set<number> | "whole">();
  /** Removed line text (lineKey) → the old-side paths that lost such a line. */
  private readonly removed = new Map<string, Set<string>>();

  addLines(path: string, lines: Iterable<number>): void {
    const current = this.files.get(path);
    if (current === "whole") return;
    const set = current ?? new Set<number>();
    for (const line of lines) set.add(line);
    this.files.set(path, set);
  }

  /** A new or untracked file: every line counts as added. */
  addWholeFile(path: string): void {
    this.files.set(path, "whole");
  }

  /** Lines the change removes from `path` (its old-side name), as text. */
  addRemoved(path: string, texts: Iterable<string>): void {
    for (const text of texts) {
      const key = lineKey(text);
      if (!meaningful(key)) continue;
      let paths = this.removed.get(key);
      if (!paths) this.removed.set(key, (paths = new Set()));
      paths.add(path);
    }
  }

  /** The old-side paths from which the change removed a line reading `text` (whitespace aside). */
  removedFrom(text: string): string[] {
    return [...(this.removed.get(lineKey(text)) ?? [])];
  }

  has(path: string, line: number): boolean {
    const lines = this.files.get(path);
    return lines === "whole" || (lines?.has(line) ?? false);
  }

  /** Files with at least one added line (a pure deletion adds none and cannot hold a new finding). */
  paths(): string[] {
    return [...this.files].filter(([, lines]) => lines === "whole" || lines.size > 0).map(([path]) => path);
  }

  /** The same change with every path passed through `map` (undefined drops the file). */
  mapPaths(map: (path: string) => string | undefined): ChangedLines {
    const mapped = new ChangedLines();
    for (const [path, lines] of this.files) {
      const target = map(path);
      if (target === undefined) continue;
      if (lines === "whole") mapped.addWholeFile(target);
      else mapped.addLines(target, lines);
    }
    for (const [key, paths] of this.removed) {
      for (const path of paths) {
        const target = map(path);
        if (target !== undefined) mapped.addRemoved(target, [key]);
      }
    }
    return mapped;
  }
}
