import { reviewChange } from "../../src/review/review.js";
import { memoryChange } from "./memory-change.js";

const PATCHED_LATE = "import logging\nimport eventlet\neventlet.monkey_patch()\n";
/** Nested patch calls: the patch rules' work grows with the square of the depth (half a minute at 12,000 on a slow machine). */
const STALLS = "import eventlet\n" + "eventlet.monkey_patch(".repeat(12_000) + ")".repeat(12_000) + "\n";
const budget = { fileMs: 3000, jobMs: 120_000 };

describe("the review runs matching and analysis in a worker thread under a time budget", () => {
  test("a file that stalls the analyzer becomes a notice; the main thread keeps running and the other files are reviewed", async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    let ticksDuringStall = 0;
    const source = memoryChange({ "pkg/a.py": PATCHED_LATE, "pkg/stall.py": STALLS, "pkg/b.py": PATCHED_LATE });
    const readBytes = source.readBytes.bind(source);
    source.readBytes = async (path) => {
      if (path === "pkg/b.py") ticksDuringStall = ticks;
      return readBytes(path);
    };
    const startTicks = ticks;
    const result = await reviewChange(source, { budget }).finally(() => clearInterval(ticker));
    expect(result.notices).toEqual([{ path: "pkg/stall.py", message: "not analyzed: analysis ran over the 3-second time budget per file" }]);
    expect(new Set(result.findings.map((f) => f.path))).toEqual(new Set(["pkg/a.py", "pkg/b.py"]));
    expect(result.findings.filter((f) => f.rule === "EVL101").map((f) => f.path)).toEqual(["pkg/a.py", "pkg/b.py"]);
    // The timer fired while the stalled file was being analyzed: the event loop was never blocked.
    expect(ticksDuringStall - startTicks).toBeGreaterThan(10);
  }, 60_000);

  test("when the review's budget runs out, the files left become notices instead of waiting", async () => {
    const source = memoryChange({ "pkg/stall1.py": STALLS, "pkg/stall2.py": STALLS, "pkg/late.py": PATCHED_LATE });
    const result = await reviewChange(source, { budget: { fileMs: 2500, jobMs: 4000 } });
    expect(result.findings).toEqual([]);
    // How far the stalled files got depends on the worker's start-up time; the file after them never starts.
    expect(result.notices.map((n) => n.path)).toEqual(["pkg/stall1.py", "pkg/stall2.py", "pkg/late.py"]);
    for (const notice of result.notices) expect(notice.message).toMatch(/^not analyzed: .*time budget/);
    expect(result.notices[2].message).toBe("not analyzed: the review's 4-second time budget ran out");
  }, 60_000);

  test("a path no file system can hold is not matched against any glob, and its content is never fetched", async () => {
    const long = `pkg/${"a".repeat(300)}.py`;
    const source = memoryChange({ [long]: PATCHED_LATE, "pkg/a.py": PATCHED_LATE });
    const result = await reviewChange(source, { budget });
    expect(result.notices).toEqual([{ path: long, message: "skipped: a path segment is 303 bytes long, over the 255-byte limit" }]);
    expect(source.reads).toEqual(["pkg/a.py"]);
    expect(result.filesReviewed).toBe(1);
  }, 60_000);

  test("the config's globs decide which files are reviewed, in the worker as before", async () => {
    const source = memoryChange({ "pkg/a.py": PATCHED_LATE, "pkg/skip/b.py": PATCHED_LATE, "README.md": "x" }, "exclude: ['pkg/skip/**']\n");
    const result = await reviewChange(source, { budget });
    expect(result.filesReviewed).toBe(1);
    expect(source.reads).toEqual(["pkg/a.py"]);
  }, 60_000);
});
