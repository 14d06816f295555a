/**
 * The results cache (src/platforms/local/results-cache.ts) through `check` itself: a second run is
 * answered from `.eventlet-review-cache/`, and changing any input of a result (the file, the config,
 * the rule set, a parent `__init__`, a patch module, the requirements) changes the finding.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { jest } from "@jest/globals";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCheck } from "../../../src/cli/check.js";
import { applySelection } from "../../../src/cli/selection.js";
import { CACHE_DIRECTORY, ResultsCache } from "../../../src/platforms/local/results-cache.js";

let root: string;

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

async function check(options: { cache?: boolean; select?: string } = {}): Promise<string[]> {
  const result = await runCheck({
    paths: ["."],
    cwd: root,
    cache: options.cache,
    adjustConfig: options.select ? (config) => applySelection(config, { select: options.select }) : undefined,
  });
  return result.findings.map((f) => `${f.path}:${f.line} ${f.rule} ${f.severity}: ${f.message}`);
}

function cacheFiles(): string[] {
  const dir = join(root, CACHE_DIRECTORY);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}

const PATCH_FIRST = "import eventlet\neventlet.monkey_patch()\n";

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "results-cache-"));
  write({ ".git/HEAD": "ref: refs/heads/master\n", "pkg/__init__.py": "", "pkg/cmd/__init__.py": "", "pkg/cmd/api.py": PATCH_FIRST });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test("a second run is answered from the cache, which ignores itself in git; --no-cache neither reads nor writes it", async () => {
  write({ "pkg/cmd/api.py": `import logging\n${PATCH_FIRST}` });
  const first = await check();
  expect(first).toEqual([expect.stringMatching(/^pkg\/cmd\/api\.py:3 EVL101 error: eventlet\.monkey_patch\(\) runs after import logging/)]);
  expect(cacheFiles()).toHaveLength(1);
  expect(readFileSync(join(root, CACHE_DIRECTORY, ".gitignore"), "utf8")).toContain("*");
  // Proof that the second run reads the cache: a result changed in it shows through.
  const file = join(root, CACHE_DIRECTORY, cacheFiles()[0]);
  writeFileSync(file, readFileSync(file, "utf8").replace("runs after import logging", "CACHED"));
  expect(await check()).toEqual([expect.stringContaining("CACHED")]);
  expect(await check({ cache: false })).toEqual(first);
  rmSync(join(root, CACHE_DIRECTORY), { recursive: true });
  await check({ cache: false });
  expect(cacheFiles()).toEqual([]);
});

test("the file itself: its new content is analyzed", async () => {
  expect(await check()).toEqual([]);
  write({ "pkg/cmd/api.py": `import logging\n${PATCH_FIRST}` });
  expect(await check()).toEqual([expect.stringContaining("EVL101 error")]);
  write({ "pkg/cmd/api.py": PATCH_FIRST });
  expect(await check()).toEqual([]);
});

test("the config and the rule set: each has results of its own", async () => {
  write({ "pkg/cmd/api.py": "import eventlet\neventlet.monkey_patch(thread=False)\n" });
  expect(await check()).toEqual([expect.stringContaining("EVL104 error")]);
  write({ ".eventlet-review.yaml": "rules:\n  EVL104: warning\n" });
  expect(await check()).toEqual([expect.stringContaining("EVL104 warning")]);
  expect(await check({ select: "EVL105" })).toEqual([expect.stringContaining("EVL105 info")]);
  write({ ".eventlet-review.yaml": "rules:\n  EVL104: off\n" });
  expect(await check()).toEqual([]);
});

test("a parent package __init__ the file's facts read", async () => {
  expect(await check()).toEqual([]);
  write({ "pkg/__init__.py": "import logging\nlogging.basicConfig()\n" });
  expect(await check()).toEqual([expect.stringMatching(/^pkg\/cmd\/api\.py:2 EVL101 error: pkg\/__init__\.py runs import logging/)]);
  write({ "pkg/__init__.py": "" });
  expect(await check()).toEqual([]);
});

test("a patch module the file imports, and one that appears", async () => {
  write({ "pkg/cmd/api.py": "import logging\nimport pkg.monkey_patch\n", "pkg/monkey_patch.py": "x = 1\n" });
  // A patch module that does not patch is not the patch: nothing runs late.
  expect(await check()).toEqual([]);
  write({ "pkg/monkey_patch.py": PATCH_FIRST });
  expect(await check()).toEqual([expect.stringMatching(/^pkg\/cmd\/api\.py:2 EVL101 error: the patch \(import pkg\.monkey_patch\) runs after import logging/)]);
  // A module read as missing counts too: removing it (unreadable: the import is the patch) still reports.
  rmSync(join(root, "pkg/monkey_patch.py"));
  expect(await check()).toEqual([expect.stringContaining("the patch (import pkg.monkey_patch) runs after import logging")]);
});

test("the requirements that decide a retired API's severity", async () => {
  write({ "pkg/rpc.py": "import oslo_messaging\nconf.set_override('x', 1)\nopts = dict(heartbeat_in_pthread=True)\n" });
  expect(await check()).toEqual([expect.stringMatching(/^pkg\/rpc\.py:3 EVL503 info: heartbeat_in_pthread is deprecated/)]);
  write({ "requirements.txt": "oslo.messaging>=18.0.0\n" });
  expect(await check()).toEqual([expect.stringMatching(/^pkg\/rpc\.py:3 EVL503 error: heartbeat_in_pthread is removed in oslo\.messaging 18\.0\.0/)]);
  write({ "requirements.txt": "oslo.messaging>=14.0.0,<14.9\n" });
  expect(await check()).toEqual([]);
});

test("results of another build, config or mode are never read", () => {
  const read = () => undefined;
  const a = new ResultsCache(root, { config: 1, mode: "tree" }, read);
  const hash = a.hash(new TextEncoder().encode("x = 1\n"));
  a.store("a.py", hash, { findings: [], notices: [{ path: "a.py", message: "stored" }], parsed: true, project: true });
  a.save();
  expect(new ResultsCache(root, { config: 1, mode: "tree" }, read).lookup("a.py", hash)?.notices).toEqual([{ path: "a.py", message: "stored" }]);
  expect(new ResultsCache(root, { config: 2, mode: "tree" }, read).lookup("a.py", hash)).toBeUndefined();
  expect(new ResultsCache(root, { config: 1, mode: "change" }, read).lookup("a.py", hash)).toBeUndefined();
  expect(new ResultsCache(root, { config: 1, mode: "tree" }, read).lookup("a.py", "another hash")).toBeUndefined();
});

test("old cache files do not pile up: the eight most recent stay", () => {
  for (let i = 0; i < 12; i++) {
    const cache = new ResultsCache(root, { config: i }, () => undefined);
    cache.store("a.py", "h", { findings: [], notices: [], parsed: false });
    cache.save();
  }
  expect(cacheFiles()).toHaveLength(8);
});

describe("file stamps: an unchanged file is not read again", () => {
  const later = (ms: number) => jest.spyOn(Date, "now").mockReturnValue(realNow() + ms);
  const realNow = Date.now.bind(Date);
  afterEach(() => jest.restoreAllMocks());

  function stamps(): Record<string, string> {
    const [file] = cacheFiles();
    return (JSON.parse(readFileSync(join(root, CACHE_DIRECTORY, file), "utf8")) as { stamps: Record<string, string> }).stamps;
  }

  test("a file changed in the last two seconds gets no stamp; a settled one does", async () => {
    await check();
    expect(stamps()).toEqual({});
    rmSync(join(root, CACHE_DIRECTORY), { recursive: true });
    later(10_000);
    await check();
    expect(Object.keys(stamps()).sort()).toEqual(["pkg/__init__.py", "pkg/cmd/__init__.py", "pkg/cmd/api.py"]);
    expect(stamps()["pkg/cmd/api.py"]).toMatch(new RegExp(`^${PATCH_FIRST.length}:\\d+:`));
  });

  test("new bytes of the same size under the old modification time are read: the change time moved", async () => {
    const before = `import eventlet\neventlet.monkey_patch()\nimport logging\n`;
    const after_ = `import logging\nimport eventlet\neventlet.monkey_patch()\n`;
    expect(after_.length).toBe(before.length);
    write({ "pkg/cmd/api.py": before });
    const old = new Date(realNow() - 60_000);
    utimesSync(join(root, "pkg/cmd/api.py"), old, old);
    later(10_000);
    expect(await check()).toEqual([]);
    expect(stamps()["pkg/cmd/api.py"]).toBeDefined();
    // Rewritten later (the clock moves on): the same size, the modification time set back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    write({ "pkg/cmd/api.py": after_ });
    utimesSync(join(root, "pkg/cmd/api.py"), old, old);
    later(20_000);
    expect(await check()).toEqual([expect.stringMatching(/^pkg\/cmd\/api\.py:3 EVL101 error/)]);
  });

  test("a project file the results read is not read again while its stamp holds, and is when its bytes change", async () => {
    const quiet = "import os, sys\nos.getpid(0, 0)\n";
    const noisy = "import logging\nlogging.info(0)\n";
    expect(noisy.length).toBe(quiet.length);
    write({ "pkg/__init__.py": quiet });
    const old = new Date(realNow() - 60_000);
    for (const path of ["pkg/__init__.py", "pkg/cmd/__init__.py", "pkg/cmd/api.py"]) utimesSync(join(root, path), old, old);
    later(10_000);
    expect(await check()).toEqual([]);
    const [file] = cacheFiles();
    const stored = () => JSON.parse(readFileSync(join(root, CACHE_DIRECTORY, file), "utf8")) as { reads: Record<string, string | null>; readStamps: Record<string, string> };
    expect(stored().reads["pkg/__init__.py"]).toEqual(expect.any(String));
    expect(stored().readStamps["pkg/__init__.py"]).toMatch(new RegExp(`^${quiet.length}:\\d+:`));
    // Unchanged: answered by the stamp; then rewritten with the same size under the old times.
    expect(await check()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    write({ "pkg/__init__.py": noisy });
    utimesSync(join(root, "pkg/__init__.py"), old, old);
    later(20_000);
    expect(await check()).toEqual([expect.stringMatching(/^pkg\/cmd\/api\.py:2 EVL101 error: pkg\/__init__\.py runs import logging/)]);
  });
});
