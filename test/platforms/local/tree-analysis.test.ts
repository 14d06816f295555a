/**
 * The whole-tree analysis with its screening thread (src/platforms/local/tree-analysis.ts) answers as
 * the analysis on one thread does: the same findings, notices and counts, file for file, with the
 * results cache written from the thread's hashes and read back on a second run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { contentHash } from "../../../src/analyzer/content-hash.js";
import { configSchema } from "../../../src/config/schema.js";
import { DiskProjectFiles } from "../../../src/platforms/local/disk.js";
import { LocalChangeSource } from "../../../src/platforms/local/change-source.js";
import { CACHE_DIRECTORY, CachedAnalysis, RecordingProjectFiles, ResultsCache } from "../../../src/platforms/local/results-cache.js";
import { TreeAnalysis } from "../../../src/platforms/local/tree-analysis.js";
import { InProcessAnalysis, type Analysis } from "../../../src/review/analysis.js";
import { reviewChange } from "../../../src/review/review.js";

let root: string;
const config = configSchema.parse({ max_file_bytes: 4096, rules: { EVL301: "on" } });

function write(path: string, data: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), data);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tree-analysis-"));
  write(".git/HEAD", "ref: refs/heads/master\n");
  write("pkg/__init__.py", "");
  write("pkg/cmd/__init__.py", "");
  for (let i = 0; i < 150; i++) {
    const kind = i % 10;
    const path = `pkg/m${String(i).padStart(3, "0")}.py`;
    if (kind === 0) write(path, `import logging\nimport eventlet\neventlet.monkey_patch()\n`);
    else if (kind === 1) write(path, `DB = "mysql://u:p@h/db"  # é\n`);
    else if (kind === 2) write(path, Buffer.from([0x69, 0x6d, 0, 0x70]));
    else if (kind === 3) write(path, `x = 1\n${"# padding\n".repeat(500)}`);
    else if (kind === 4) write(path, Buffer.from("s = '\xe9t\xe9'\nimport eventlet\n", "latin1"));
    else write(path, `def f${i}():\n    return ${i}\n`);
  }
  write("pkg/cmd/api.py", "import os\nimport eventlet\neventlet.monkey_patch()\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function review(analysis: Analysis) {
  const source = new LocalChangeSource({ project: root, config });
  const result = await reviewChange(source, { config, analysis: () => analysis, facts: false });
  return { findings: result.findings, notices: result.notices, analyzed: result.filesAnalyzed, parsed: result.filesParsed, reviewed: result.filesReviewed };
}

test("the same answers as one thread, with most files screened on the other", async () => {
  const setup = { config, mode: "tree" as const };
  const plain = await review(new InProcessAnalysis(setup, new DiskProjectFiles(root, config.max_file_bytes)));
  const threaded = new TreeAnalysis(setup, new DiskProjectFiles(root, config.max_file_bytes), 10);
  expect(await threaded.threadLoadedWithin(30_000)).toBe(true);
  const answers = await review(threaded);
  expect(answers).toEqual(plain);
  expect(threaded.screenedElsewhere).toBe(153 - 10);
  // What the tree holds: findings, binary files (decoded: a notice of the analysis) and oversized ones (not read: the thread says why).
  expect(plain.findings.map((f) => f.rule).sort()).toEqual(expect.arrayContaining(["EVL101", "EVL301"]));
  expect(plain.notices.map((n) => n.message)).toEqual(expect.arrayContaining(["skipped: binary file", "skipped: 5006 bytes is over the 4096-byte limit (max_file_bytes)"]));
});

test("the cache keeps the thread's hashes: a second run analyzes nothing and answers the same", async () => {
  const setup = { config, mode: "tree" as const };
  const cached = () => {
    const recording = new RecordingProjectFiles(new DiskProjectFiles(root, config.max_file_bytes));
    const inner = new TreeAnalysis(setup, recording, 0);
    return { inner, analysis: new CachedAnalysis(inner, new ResultsCache(root, { config, mode: "tree" }, () => undefined), recording, config.max_file_bytes) };
  };
  rmSync(join(root, CACHE_DIRECTORY), { recursive: true, force: true });
  const cold = cached();
  await cold.inner.threadLoadedWithin(30_000);
  const first = await review(cold.analysis);
  expect(cold.inner.screenedElsewhere).toBeGreaterThan(100);
  const [file] = readdirSync(join(root, CACHE_DIRECTORY)).filter((f) => f.endsWith(".json"));
  const stored = JSON.parse(readFileSync(join(root, CACHE_DIRECTORY, file), "utf8")) as { results: Record<string, [string, unknown]> };
  expect(stored.results["pkg/m006.py"][0]).toBe(contentHash(readFileSync(join(root, "pkg/m006.py"))));
  expect(Object.keys(stored.results)).toHaveLength(153 - 15); // binary and oversized files are notices, not results
  const warm = cached();
  const second = await review(warm.analysis);
  expect(second).toEqual(first);
  expect(warm.inner.screenedElsewhere).toBe(0);
});
