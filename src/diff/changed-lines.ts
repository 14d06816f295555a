/** The lines a change adds, per file: the one question diff scoping asks is "is this line new?". */

export class ChangedLines {
  private readonly files = new Map<string, Set<number> | "whole">();

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
    return mapped;
  }
}
