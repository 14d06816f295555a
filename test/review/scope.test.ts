/** Diff scoping: a finding belongs to a change through its own line or a related line the change added. */
import type { Finding } from "../../src/model/finding.js";
import { ChangedLines } from "../../src/diff/changed-lines.js";
import { commentLine, scopeToChange, touchesChange } from "../../src/review/scope.js";

function finding(path: string, line: number, related: { path?: string; line: number }[] = []): Finding {
  return {
    rule: "EVL101",
    name: "monkey-patch-not-first",
    severity: "error",
    path,
    line,
    column: 1,
    endLine: line,
    endColumn: 10,
    message: "m",
    section: { title: "t", url: "u" },
    ...(related.length ? { related: related.map((r) => ({ path: r.path ?? path, line: r.line, message: "runs first" })) } : {}),
  };
}

const change = (lines: Record<string, number[] | "whole">) => {
  const c = new ChangedLines();
  for (const [path, l] of Object.entries(lines)) {
    if (l === "whole") c.addWholeFile(path);
    else c.addLines(path, l);
  }
  return c;
};

describe("touchesChange / scopeToChange", () => {
  test("a finding on an added line is kept; one on an untouched line is not", () => {
    const c = change({ "cmd/api.py": [5] });
    expect(touchesChange(finding("cmd/api.py", 5), c)).toBe(true);
    expect(touchesChange(finding("cmd/api.py", 6), c)).toBe(false);
    expect(touchesChange(finding("other.py", 5), c)).toBe(false);
  });

  test("an untouched patch call is kept when an added line runs before it (import logging above it)", () => {
    const c = change({ "cmd/api.py": [1] });
    expect(touchesChange(finding("cmd/api.py", 4, [{ line: 1 }]), c)).toBe(true);
    expect(touchesChange(finding("cmd/api.py", 4, [{ line: 2 }]), c)).toBe(false);
  });

  test("a related line in another file (a parent __init__.py) counts too", () => {
    const c = change({ "pkg/__init__.py": [3] });
    expect(touchesChange(finding("pkg/cmd/api.py", 2, [{ path: "pkg/__init__.py", line: 3 }]), c)).toBe(true);
  });

  test("whole added files keep every finding; order is preserved", () => {
    const c = change({ "new.py": "whole", "old.py": [9] });
    const all = [finding("new.py", 1), finding("old.py", 2), finding("new.py", 50), finding("old.py", 9)];
    expect(scopeToChange(all, c)).toEqual([all[0], all[2], all[3]]);
    expect(scopeToChange(all, new ChangedLines())).toEqual([]);
  });
});

describe("commentLine", () => {
  test("the finding's own line when the change added it", () => {
    expect(commentLine(finding("a.py", 4, [{ line: 1 }]), change({ "a.py": [1, 4] }))).toBe(4);
  });

  test("else the first added related line in the same file", () => {
    expect(commentLine(finding("a.py", 9, [{ line: 2 }, { line: 5 }, { line: 7 }]), change({ "a.py": [5, 7] }))).toBe(5);
  });

  test("undefined when only a related line in another file was added", () => {
    const f = finding("pkg/cmd/api.py", 2, [{ path: "pkg/__init__.py", line: 3 }]);
    expect(commentLine(f, change({ "pkg/__init__.py": [3] }))).toBeUndefined();
  });
});
