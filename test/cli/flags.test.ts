/**
 * The flake8/Ruff habits of `check`: --select/--ignore/--extend-select, --exit-zero, --statistics,
 * --show-source, --baseline/--write-baseline, --fix (and --fix --diff), and the CI output formats.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, findingsOf, PY, run, tempDir, writeTree } from "./helpers.js";

let root: string;
const URL_LINE = 'URL = "mysql://nova:secret@db/nova"\n';

beforeEach(() => {
  root = tempDir();
  writeTree(root, {
    ".git/HEAD": "ref: refs/heads/master\n",
    "pkg/__init__.py": "",
    "pkg/cmd/__init__.py": "",
    "pkg/cmd/api.py": PY.patchAfterLogging,
    "pkg/db.py": `${PY.mysqldb}${URL_LINE}`,
  });
});

afterEach(() => cleanup(root));

const rules = async (...argv: string[]) => findingsOf((await run(["check", "--output-format", "json", ...argv, "."], { cwd: root })).stdout).map((f) => f.rule);

describe("--select, --extend-select, --ignore", () => {
  test("prefixes select, ignore and extend the configured rules", async () => {
    expect(await rules()).toEqual(["EVL101", "EVL301", "EVL301"]);
    expect(await rules("--select", "EVL3")).toEqual(["EVL301", "EVL301"]);
    expect(await rules("--ignore", "evl30")).toEqual(["EVL101"]);
    // --select EVL turns on every rule, EVL105 (off by default) too.
    expect(await rules("--select", "EVL", "--ignore", "EVL101,EVL301")).toEqual(["EVL105"]);
  });

  test("--extend-select turns on a rule that is off by default, keeping the config's severities", async () => {
    writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL101: warning\n" });
    const r = await run(["check", "--output-format", "json", "--extend-select", "EVL105", "."], { cwd: root });
    const found = findingsOf(r.stdout);
    expect(found.map((f) => f.rule)).toContain("EVL105");
    expect(found.find((f) => f.rule === "EVL101")?.severity).toBe("warning");
  });
});

test("--exit-zero reports the findings and exits 0", async () => {
  const r = await run(["check", "--exit-zero", "."], { cwd: root });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("pkg/cmd/api.py:3:1: EVL101 [error]");
});

test("--statistics counts findings per rule, most frequent first", async () => {
  const r = await run(["check", "--statistics", "."], { cwd: root });
  expect(r.stdout).toBe("2\tEVL301\t[warning] eventlet-unfriendly-db-driver\n1\tEVL101\t[error] monkey-patch-not-first\n");
  expect(r.code).toBe(1);
});

test("--show-source prints the line and a caret under the span", async () => {
  const r = await run(["check", "--show-source", "--select", "EVL301", "pkg/db.py"], { cwd: root });
  expect(r.stdout).toContain(`pkg/db.py:2:7: EVL301 [warning] this URL selects the MySQLdb driver`);
  expect(r.stdout).toContain(`\n    ${URL_LINE.trimEnd()}\n          ${"^".repeat('"mysql://nova:secret@db/nova"'.length)}\n`);
});

describe("--baseline", () => {
  test("hides the findings it lists, even after the code moves, and reports new ones", async () => {
    const written = await run(["check", "--baseline", "baseline.json", "--write-baseline", "."], { cwd: root });
    expect(written.code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "baseline.json"), "utf8")).findings).toHaveLength(3);
    expect((await run(["check", "--baseline", "baseline.json", "."], { cwd: root })).stdout).toBe("");

    // Two lines above the old findings, and one new finding.
    writeFileSync(join(root, "pkg/db.py"), `"""Database access."""\n\n${PY.mysqldb}${URL_LINE}OTHER = "mysql://x@y/z"\n`);
    const after = await run(["check", "--output-format", "json", "--baseline", "baseline.json", "."], { cwd: root });
    expect(findingsOf(after.stdout).map((f) => `${f.rule} ${f.path}:${f.line}`)).toEqual(["EVL301 pkg/db.py:5"]);
    expect(after.stderr).toContain("3 findings are in the baseline baseline.json");
  });

  test("a file that is no baseline is a usage error", async () => {
    writeTree(root, { "bad.json": '{"findings": 3}' });
    const r = await run(["check", "--baseline", "bad.json", "."], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json is not an eventlet-review baseline/);
  });
});

describe("--fix", () => {
  test("--fix --diff previews the safe fixes and writes nothing", async () => {
    const r = await run(["check", "--fix", "--diff", "."], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-URL = "mysql://nova:secret@db/nova"\n+URL = "mysql+pymysql://nova:secret@db/nova"\n');
    expect(r.stdout).toContain("--- a/pkg/db.py\n+++ b/pkg/db.py\n");
    expect(readFileSync(join(root, "pkg/db.py"), "utf8")).toBe(`${PY.mysqldb}${URL_LINE}`);
  });

  test("--fix applies only the safe fixes and reports what is left", async () => {
    const r = await run(["check", "--fix", "--output-format", "json", "."], { cwd: root });
    expect(readFileSync(join(root, "pkg/db.py"), "utf8")).toBe(`${PY.mysqldb}URL = "mysql+pymysql://nova:secret@db/nova"\n`);
    expect(r.stderr).toContain("applied 1 safe fixes in 1 files");
    expect(findingsOf(r.stdout).map((f) => f.rule)).toEqual(["EVL101", "EVL301"]);
    // A second run finds nothing more to fix.
    expect((await run(["check", "--fix", "--diff", "."], { cwd: root })).stdout).toBe("");
  });
});

describe("--output-format for CI systems", () => {
  const out = async (format: string) => (await run(["check", "--output-format", format, "--select", "EVL301", "pkg/db.py"], { cwd: root })).stdout;

  test("github: workflow commands with escaped properties", async () => {
    const lines = (await out("github")).trim().split("\n");
    expect(lines[0]).toBe(
      "::warning file=pkg/db.py,line=1,col=8,endLine=1,endColumn=15,title=EVL301 eventlet-unfriendly-db-driver::EVL301 MySQLdb blocks every green thread during each query and can deadlock under eventlet: use PyMySQL (import pymysql).",
    );
    expect(lines).toHaveLength(2);
  });

  test("gitlab: Code Quality issues whose fingerprints ignore line numbers", async () => {
    const before = JSON.parse(await out("gitlab"));
    expect(before[0]).toMatchObject({ check_name: "EVL301", severity: "minor", location: { path: "pkg/db.py", lines: { begin: 1 } } });
    writeFileSync(join(root, "pkg/db.py"), `\n\n${PY.mysqldb}${URL_LINE}`);
    const after = JSON.parse(await out("gitlab"));
    expect(after.map((i: { fingerprint: string }) => i.fingerprint)).toEqual(before.map((i: { fingerprint: string }) => i.fingerprint));
    expect(new Set(before.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(2);
  });

  test("junit: one suite per file, one failure per finding", async () => {
    const xml = await out("junit");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="eventlet-review" tests="2" failures="2" errors="0">/);
    expect(xml).toContain('<testsuite name="pkg/db.py" tests="2" failures="2" errors="0">');
    expect(xml.match(/<failure /g)).toHaveLength(2);
  });

  test("rdjson: reviewdog diagnostics, the safe fix as a suggestion", async () => {
    const rd = JSON.parse(await out("rdjson"));
    expect(rd.source.name).toBe("eventlet-review");
    expect(rd.diagnostics[1]).toMatchObject({
      severity: "WARNING",
      code: { value: "EVL301" },
      location: { path: "pkg/db.py", range: { start: { line: 2, column: 7 } } },
      suggestions: [{ text: 'URL = "mysql+pymysql://nova:secret@db/nova"\n' }],
    });
  });
});
