/** review/plan.ts: one placement policy, one suggestion fit, one fingerprint, the cut at a limit. */
import { ChangedLines } from "../../src/diff/changed-lines.js";
import type { Finding } from "../../src/model/finding.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { GERRIT, GITHUB, planComments, placeComment, suggestionFits, truncate, ZUUL } from "../../src/review/plan.js";

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: "EVL301",
    name: "eventlet-unfriendly-db-driver",
    severity: "warning",
    path: "pkg/db.py",
    line: 3,
    column: 1,
    endLine: 3,
    endColumn: 15,
    message: "MySQLdb blocks the hub: use PyMySQL",
    section: { title: "Database drivers", url: "https://example.org/spec#db" },
    ...over,
  };
}

function added(path: string, ...lines: number[]): ChangedLines {
  const changed = new ChangedLines();
  changed.addLines(path, lines);
  return changed;
}

const safeFix = (line: number, endLine = line) => ({ replacement: "import pymysql", line, endLine, safety: "safe" as const, description: "use PyMySQL" });

describe("placeComment", () => {
  test("its own added line, with its span, on every platform", () => {
    for (const can of [GITHUB, GERRIT, ZUUL]) {
      expect(placeComment(finding(), added("pkg/db.py", 3), can)).toEqual({
        path: "pkg/db.py",
        line: 3,
        own: true,
        suggestion: false,
        range: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 15 },
      });
    }
  });

  test("a whole tree (no change given): every finding on its own line", () => {
    expect(placeComment(finding(), undefined, ZUUL)).toMatchObject({ line: 3, own: true });
  });

  test("an added related line of the same file stands in for an untouched own line", () => {
    const f = finding({ related: [{ path: "pkg/db.py", line: 1, message: "runs first" }] });
    for (const can of [GITHUB, GERRIT, ZUUL]) expect(placeComment(f, added("pkg/db.py", 1), can)).toEqual({ path: "pkg/db.py", line: 1, own: false, suggestion: false });
  });

  test("an added line in another file: Zuul comments there, GitHub cannot, Gerrit keeps the own line", () => {
    const f = finding({ related: [{ path: "pkg/__init__.py", line: 2, message: "patches late" }] });
    const changed = added("pkg/__init__.py", 2);
    expect(placeComment(f, changed, ZUUL)).toEqual({ path: "pkg/__init__.py", line: 2, own: false, suggestion: false });
    expect(placeComment(f, changed, GITHUB)).toBeUndefined();
    expect(placeComment(f, changed, GERRIT)).toMatchObject({ path: "pkg/db.py", line: 3, own: true });
  });

  test("a multi-line safe fix over added lines is one GitHub suggestion over those lines", () => {
    const f = finding({ line: 3, endLine: 4, fix: safeFix(3, 4) });
    expect(placeComment(f, added("pkg/db.py", 3, 4), GITHUB)).toMatchObject({ startLine: 3, line: 4, suggestion: true });
    expect(placeComment(f, added("pkg/db.py", 3, 4), GERRIT)).toMatchObject({ line: 3, suggestion: false });
  });
});

describe("suggestionFits", () => {
  test("a safe one-line fix on the added own line fits everywhere", () => {
    const f = finding({ fix: safeFix(3) });
    for (const can of [GITHUB, GERRIT, ZUUL]) expect(suggestionFits(f, added("pkg/db.py", 3), can)).toBe(true);
  });
  test("never an unsafe fix, a fix beside the line, or a fix over lines the change did not add", () => {
    expect(suggestionFits(finding({ fix: { ...safeFix(3), safety: "unsafe" } }), added("pkg/db.py", 3), GITHUB)).toBe(false);
    expect(suggestionFits(finding({ fix: safeFix(4) }), added("pkg/db.py", 3, 4), GITHUB)).toBe(false);
    expect(suggestionFits(finding({ fix: safeFix(3, 4) }), added("pkg/db.py", 3), GITHUB)).toBe(false);
    expect(suggestionFits(finding({ fix: safeFix(3) }), added("pkg/db.py", 4), GERRIT)).toBe(false);
  });
});

describe("planComments", () => {
  test("sorted by path and line; one fingerprint per finding, from its line's text, the same for every platform", async () => {
    const files = new MemoryProjectFiles({ "pkg/db.py": "x = 1\n\nimport MySQLdb\nimport MySQLdb\n", "a.py": "import MySQLdb\n" });
    const findings = [finding({ line: 4, endLine: 4 }), finding(), finding({ path: "a.py", line: 1, endLine: 1 })];
    const changed = added("pkg/db.py", 3, 4);
    const github = await planComments(findings, changed, files, GITHUB);
    const gerrit = await planComments(findings, changed, files, GERRIT);
    expect(github.map((p) => `${p.finding.path}:${p.finding.line}`)).toEqual(["a.py:1", "pkg/db.py:3", "pkg/db.py:4"]);
    expect(gerrit.map((p) => p.fingerprint)).toEqual(github.map((p) => p.fingerprint));
    // Identical lines differ by their occurrence, and the same text in another file is another finding.
    expect(new Set(github.map((p) => p.fingerprint)).size).toBe(3);
    expect(github[0].placement).toBeUndefined();
    expect(gerrit[0].placement).toMatchObject({ line: 1 });
  });

  test("a fingerprint follows the line's text, not its number", async () => {
    const before = await planComments([finding()], undefined, new MemoryProjectFiles({ "pkg/db.py": "\n\nimport MySQLdb\n" }), GITHUB);
    const after = await planComments([finding({ line: 5, endLine: 5 })], undefined, new MemoryProjectFiles({ "pkg/db.py": "\n\n\n\nimport MySQLdb\n" }), GITHUB);
    expect(after[0].fingerprint).toBe(before[0].fingerprint);
  });
});

test("truncate keeps text within the limit and says it was cut", () => {
  expect(truncate("short", 10, " [cut]")).toBe("short");
  const cut = truncate("x".repeat(100), 50, "\n\n[… truncated]");
  expect(cut).toHaveLength(50);
  expect(cut.endsWith("\n\n[… truncated]")).toBe(true);
});
