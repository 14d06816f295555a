/** The unified diff parser: what each file's change adds, by new-side line number. */
import { ChangedLines } from "../../src/diff/changed-lines.js";
import { addedFileText, addedLinesOfHunks, parseUnifiedDiff, removedLinesOfHunks } from "../../src/diff/unified.js";

const added = (changed: ChangedLines, path: string, upTo = 40) =>
  Array.from({ length: upTo }, (_, i) => i + 1).filter((line) => changed.has(path, line));

describe("parseUnifiedDiff", () => {
  test("added lines of a modified file, across hunks, with context", () => {
    const diff = [
      "diff --git a/nova/api.py b/nova/api.py",
      "index 1111111..2222222 100644",
      "--- a/nova/api.py",
      "+++ b/nova/api.py",
      "@@ -1,3 +1,4 @@",
      " import os",
      "+import logging",
      " import sys",
      " ",
      "@@ -10,4 +11,4 @@ def f():",
      "     a = 1",
      "-    b = 2",
      "+    b = 3",
      "     c = 3",
      "     d = 4",
      "",
    ].join("\n");
    const changed = parseUnifiedDiff(diff);
    expect(changed.paths()).toEqual(["nova/api.py"]);
    expect(added(changed, "nova/api.py")).toEqual([2, 12]);
  });

  test("-U0 hunks without counts, and a pure deletion that adds nothing", () => {
    const diff = [
      "diff --git a/a.py b/a.py",
      "--- a/a.py",
      "+++ b/a.py",
      "@@ -3 +3 @@",
      "-x = 1",
      "+x = 2",
      "@@ -7,0 +8,2 @@",
      "+y = 1",
      "+z = 1",
      "diff --git a/b.py b/b.py",
      "--- a/b.py",
      "+++ b/b.py",
      "@@ -4,2 +3,0 @@",
      "-gone = 1",
      "-gone = 2",
    ].join("\n");
    const changed = parseUnifiedDiff(diff);
    expect(added(changed, "a.py")).toEqual([3, 8, 9]);
    expect(added(changed, "b.py")).toEqual([]);
    expect(changed.paths()).toEqual(["a.py"]);
  });

  test("new files, deleted files and renames", () => {
    const diff = [
      "diff --git a/new.py b/new.py",
      "new file mode 100644",
      "index 0000000..3333333",
      "--- /dev/null",
      "+++ b/new.py",
      "@@ -0,0 +1,2 @@",
      "+import eventlet",
      "+eventlet.monkey_patch()",
      "diff --git a/old.py b/old.py",
      "deleted file mode 100644",
      "--- a/old.py",
      "+++ /dev/null",
      "@@ -1,2 +0,0 @@",
      "-import os",
      "-import sys",
      "diff --git a/pkg/before.py b/pkg/after.py",
      "similarity index 100%",
      "rename from pkg/before.py",
      "rename to pkg/after.py",
      "diff --git a/pkg/x.py b/pkg/y.py",
      "similarity index 80%",
      "rename from pkg/x.py",
      "rename to pkg/y.py",
      "--- a/pkg/x.py",
      "+++ b/pkg/y.py",
      "@@ -2,0 +3 @@",
      "+added = True",
    ].join("\n");
    const changed = parseUnifiedDiff(diff);
    expect(changed.paths().sort()).toEqual(["new.py", "pkg/y.py"]);
    expect(added(changed, "new.py")).toEqual([1, 2]);
    expect(added(changed, "old.py")).toEqual([]);
    expect(added(changed, "pkg/after.py")).toEqual([]);
    expect(added(changed, "pkg/x.py")).toEqual([]);
    expect(added(changed, "pkg/y.py")).toEqual([3]);
  });

  test('"\\ No newline at end of file" moves neither side', () => {
    const diff = [
      "--- a/a.py",
      "+++ b/a.py",
      "@@ -1,2 +1,3 @@",
      " x = 1",
      "-y = 2",
      "\\ No newline at end of file",
      "+y = 3",
      "+z = 4",
      "\\ No newline at end of file",
    ].join("\n");
    expect(added(parseUnifiedDiff(diff), "a.py")).toEqual([2, 3]);
  });

  test('added lines that start with "++" or "--", even "+++ b/x", are content, not headers', () => {
    const diff = [
      "diff --git a/a.py b/a.py",
      "--- a/a.py",
      "+++ b/a.py",
      "@@ -1,3 +1,4 @@",
      "---- a/a.py",
      "+++ b/evil.py",
      "++x += 1",
      "+--y",
      " keep = 1",
      " keep = 2",
    ].join("\n");
    const changed = parseUnifiedDiff(diff);
    expect(changed.paths()).toEqual(["a.py"]);
    expect(added(changed, "a.py")).toEqual([1, 2, 3]);
  });

  test("git's C-quoted paths (non-ASCII in octal, spaces, quotes) and timestamps after a tab", () => {
    const diff = [
      'diff --git "a/nova/caf\\303\\251.py" "b/nova/caf\\303\\251.py"',
      '--- "a/nova/caf\\303\\251.py"',
      '+++ "b/nova/caf\\303\\251.py"',
      "@@ -0,0 +1 @@",
      "+x = 1",
      'diff --git "a/say \\"hi\\".py" "b/say \\"hi\\".py"',
      '--- "a/say \\"hi\\".py"',
      '+++ "b/say \\"hi\\".py"',
      "@@ -0,0 +1 @@",
      "+x = 1",
      "--- old/with space.py\t2024-01-01 00:00:00.000000000 +0000",
      "+++ new/with space.py\t2024-01-02 00:00:00.000000000 +0000",
      "@@ -1 +1 @@",
      "-a",
      "+b",
    ].join("\n");
    const changed = parseUnifiedDiff(diff);
    expect(changed.paths().sort()).toEqual(["nova/café.py", 'say "hi".py', "with space.py"]);
  });

  test("CRLF diffs, strip levels, and bare names from `diff -u old.py new.py`", () => {
    const crlf = "--- a/w.py\r\n+++ b/w.py\r\n@@ -1 +1,2 @@\r\n x\r\n+y\r\n";
    expect(added(parseUnifiedDiff(crlf), "w.py")).toEqual([2]);
    const deep = "--- a/src/pkg/m.py\n+++ b/src/pkg/m.py\n@@ -0,0 +1 @@\n+x\n";
    expect(parseUnifiedDiff(deep, 0).paths()).toEqual(["b/src/pkg/m.py"]);
    expect(parseUnifiedDiff(deep, 2).paths()).toEqual(["pkg/m.py"]);
    const bare = "--- old.py\t2024-01-01\n+++ new.py\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n";
    expect(parseUnifiedDiff(bare).paths()).toEqual(["new.py"]);
  });

  test("text that is not a diff yields no files", () => {
    expect(parseUnifiedDiff("").paths()).toEqual([]);
    expect(parseUnifiedDiff("hello\nworld\n+++ \n@@ nonsense @@\n").paths()).toEqual([]);
  });
});

describe("addedLinesOfHunks (GitHub's per-file patch)", () => {
  test("hunks without file headers", () => {
    const patch = ["@@ -1,2 +1,3 @@", " a", "+b", " c", "@@ -20 +21,2 @@", "-old", "+new", "+newer", "\\ No newline at end of file"].join("\n");
    expect(addedLinesOfHunks(patch)).toEqual([2, 21, 22]);
  });
});

describe("ChangedLines", () => {
  test("whole files, mapping and dropping paths", () => {
    const changed = new ChangedLines();
    changed.addLines("a/x.py", [3]);
    changed.addWholeFile("a/new.py");
    changed.addLines("a/new.py", [1]); // still whole
    changed.addLines("b/z.py", []);
    expect(changed.has("a/new.py", 999)).toBe(true);
    expect(changed.paths()).toEqual(["a/x.py", "a/new.py"]);
    const mapped = changed.mapPaths((p) => (p.startsWith("a/") ? p.slice(2) : undefined));
    expect(mapped.paths()).toEqual(["x.py", "new.py"]);
    expect(mapped.has("x.py", 3)).toBe(true);
    expect(mapped.has("x.py", 4)).toBe(false);
    expect(mapped.has("new.py", 42)).toBe(true);
  });
});

describe("removed lines (moved code is told from new code by them)", () => {
  test("parseUnifiedDiff keeps each removed line's text under the file's old path, whitespace aside", () => {
    const diff = [
      "diff --git a/pkg/common/messaging.py b/pkg/common/messaging.py",
      "--- a/pkg/common/messaging.py",
      "+++ b/pkg/common/messaging.py",
      "@@ -5,2 +4,0 @@",
      "-        eventlet.monkey_patch(time=True)",
      "-    )",
      "diff --git a/pkg/gone.py b/pkg/gone.py",
      "deleted file mode 100644",
      "--- a/pkg/gone.py",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-import MySQLdb",
      "",
    ].join("\n");
    const changed = parseUnifiedDiff(diff);
    expect(changed.removedFrom("eventlet.monkey_patch(time=True)")).toEqual(["pkg/common/messaging.py"]);
    expect(changed.removedFrom("  eventlet.monkey_patch( time=True)")).toEqual([]);
    // A trailing comment is not code: the patch line moved with a `# noqa` added is the same line.
    expect(changed.removedFrom("eventlet.monkey_patch(time=True)  # noqa: E402")).toEqual(["pkg/common/messaging.py"]);
    expect(changed.removedFrom("import   MySQLdb")).toEqual(["pkg/gone.py"]);
    // Too plain to say where code came from.
    expect(changed.removedFrom(")")).toEqual([]);
    expect(changed.mapPaths((p) => `sub/${p}`).removedFrom("import MySQLdb")).toEqual(["sub/pkg/gone.py"]);
  });

  test("removedLinesOfHunks reads GitHub's per-file patch", () => {
    expect(removedLinesOfHunks("@@ -1,2 +1,2 @@\n-import MySQLdb\n+import pymysql\n x = 1")).toEqual(["import MySQLdb"]);
  });
});

describe("addedFileText", () => {
  test("an added file's patch is its whole text, final newline or not", () => {
    expect(addedFileText("@@ -0,0 +1,2 @@\n+import os\n+x = 1")).toBe("import os\nx = 1\n");
    expect(addedFileText("@@ -0,0 +1 @@\n+x = 1\n\\ No newline at end of file")).toBe("x = 1");
    expect(addedFileText("@@ -0,0 +1,2 @@\n+a\r\n+\r")).toBe("a\r\n\r\n");
    expect(addedFileText("@@ -0,0 +1,2 @@\n++++ b\n+")).toBe("+++ b\n\n");
  });

  test("anything but a whole added file is not taken for one", () => {
    expect(addedFileText("@@ -1,2 +1,3 @@\n a\n+b\n c")).toBeUndefined(); // a modified file
    expect(addedFileText("@@ -0,0 +1,3 @@\n+a\n+b")).toBeUndefined(); // cut short
    expect(addedFileText("@@ -0,0 +1,2 @@\n+a\n+b\n@@ -0,0 +5,1 @@\n+c")).toBeUndefined(); // two hunks
    expect(addedFileText("")).toBeUndefined();
  });
});
