/** reviewChange over a ChangeSource, with the analysis on this thread (the port the CLI uses too). */
import { ChangedLines } from "../../src/diff/changed-lines.js";
import { defaultConfig, parseConfig } from "../../src/config/load.js";
import { InProcessAnalysis } from "../../src/review/analysis.js";
import { reviewChange } from "../../src/review/review.js";
import { memoryChange } from "./memory-change.js";

const PATCHED_LATE = "import logging\nimport eventlet\neventlet.monkey_patch()\n";
const inProcess = { analysis: (setup: ConstructorParameters<typeof InProcessAnalysis>[0], project: ConstructorParameters<typeof InProcessAnalysis>[1]) => new InProcessAnalysis(setup, project) };

test("files the config excludes are never diffed: changedLines is given the filter, which refuses them", async () => {
  const source = memoryChange({ "pkg/a.py": PATCHED_LATE, "pkg/skip/b.py": PATCHED_LATE, "README.md": "x" });
  const asked: Record<string, boolean> = {};
  source.changedLines = async (keep = () => true) => {
    const changed = new ChangedLines();
    for (const path of ["pkg/a.py", "pkg/skip/b.py", "README.md"]) {
      asked[path] = keep(path);
      // A source that diffs per file (Gerrit) fetches only what the filter keeps.
      if (asked[path]) changed.addWholeFile(path);
    }
    return changed;
  };
  const result = await reviewChange(source, { ...inProcess, config: parseConfig("exclude: ['pkg/skip/**']\n") });
  expect(asked).toEqual({ "pkg/a.py": true, "pkg/skip/b.py": false, "README.md": false });
  expect(result.changed.paths()).toEqual(["pkg/a.py"]);
  expect(new Set(result.findings.map((f) => f.path))).toEqual(new Set(["pkg/a.py"]));
  expect(source.reads).toEqual(["pkg/a.py"]);
});

test("a whole tree (a source that walks) is reviewed in tree mode: every line is new, nothing is filtered again", async () => {
  const files = { "pkg/a.py": PATCHED_LATE, "pkg/b.txt": PATCHED_LATE };
  const source = memoryChange(files);
  const walked = Object.assign(source, { walk: () => Object.keys(files) });
  const notices: string[] = [];
  const result = await reviewChange(walked, { ...inProcess, config: defaultConfig(), facts: false, onProgress: (n) => notices.push(`${n}`) });
  // The walk chose the files (the CLI: a file named on the command line is reviewed whatever the globs say).
  expect([...new Set(result.findings.map((f) => f.path))]).toEqual(["pkg/a.py", "pkg/b.txt"]);
  expect(result.changed.has("pkg/b.txt", 3)).toBe(true);
  expect([result.filesAnalyzed, result.filesParsed, notices]).toEqual([2, 2, ["1", "2"]]);
});
