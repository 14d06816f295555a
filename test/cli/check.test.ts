/** `eventlet-review check` through `main(argv, io)`: exit codes, formats, config, bad input, terminals. */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "../../src/rules/index.js";
import { cleanup, findingsOf, PY, run, tempDir, writeTree } from "./helpers.js";

const ESC = "\u001b";
const SGR = new RegExp(`${ESC}\\[\\d+m`, "g");

let root: string;

beforeEach(() => {
  root = tempDir();
  writeTree(root, {
    ".git/HEAD": "ref: refs/heads/master\n", // marks the repository top for config discovery
    "pkg/__init__.py": "",
    // Empty: a cmd/__init__ that patched first would make api.py's late patch redundant, not late.
    "pkg/cmd/__init__.py": "",
    "pkg/cmd/api.py": PY.patchAfterLogging,
    "pkg/db.py": PY.mysqldb,
    "pkg/clean.py": PY.clean,
  });
});

afterEach(() => cleanup(root));

describe("exit codes and --fail-level", () => {
  test("0 on a clean tree", async () => {
    writeTree(root, { "clean/a.py": PY.clean, "clean/b.py": "print('hi')\n" });
    const r = await run(["check", "clean"], { cwd: root });
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  test("1 when a finding is at the default fail level (error)", async () => {
    const r = await run(["check", "pkg"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("cmd/api.py:3:1: EVL101 ");
  });

  test("0 when findings are below the fail level, 1 once --fail-level reaches them", async () => {
    expect((await run(["check", "pkg/db.py"], { cwd: root })).code).toBe(0);
    expect((await run(["check", "--fail-level", "warning", "pkg/db.py"], { cwd: root })).code).toBe(1);
    expect((await run(["check", "--fail-level", "info", "pkg/db.py"], { cwd: root })).code).toBe(1);
  });

  test("--fail-level wins over the config's fail_level", async () => {
    writeTree(root, { ".eventlet-review.yaml": "fail_level: warning\n" });
    expect((await run(["check", "pkg/db.py"], { cwd: root })).code).toBe(1);
    expect((await run(["check", "--fail-level", "error", "pkg/db.py"], { cwd: root })).code).toBe(0);
  });

  test.each([
    [["check", "--format", "xml", "pkg"], /unknown --output-format xml: use text, json, sarif, zuul, github, gitlab, junit, rdjson/],
    [["check", "--fail-level", "fatal", "pkg"], /--fail-level must be one of info, warning, error/],
    [["check", "--base", "HEAD", "--diff", "x.diff", "pkg"], /only one of --base, --diff and --staged/],
    [["check", "--base=--output=x", "pkg"], /--base needs a git revision, not "--output=x"/],
    [["check", "--no-such-flag"], /^error: unknown option '--no-such-flag'\n\(add --help for usage\)\n$/],
    [["check", "--select", "EVL9", "pkg"], /--select: EVL9 is no rule code or prefix/],
    [["check", "--write-baseline", "pkg"], /--write-baseline needs --baseline FILE/],
    [["check", "--diff"], /--diff needs a FILE/],
    [["check", "missing/dir"], /no such file or directory: missing\/dir/],
    [["check", "--diff", "missing.diff", "pkg"], /cannot read diff file missing.diff/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["explain", "EVL999"], /unknown rule EVL999/],
  ])("2 on a usage error: %j", async (argv, message) => {
    const r = await run(argv, { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });
});

describe("formats", () => {
  test("text is flake8-like: path:line:col: RULE message, the PATH given joined with the file's path", async () => {
    const r = await run(["check", "pkg"], { cwd: root });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toContain(lines.find((l) => l.startsWith("pkg/db.py:1:8: EVL301 ")));
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^[\w/]+\.py:\d+:\d+: EVL\d{3} \[(error|warning|info)\] \S.*[^\s]$/);
    expect(lines.at(-1)).toMatch(/^Found \d+ findings \(.*\) in \d+ files\.$/);
    // Several PATHs stay unambiguous, and every path opens from the current directory.
    const two = await run(["check", "pkg/cmd", "pkg/db.py"], { cwd: root });
    expect(two.stdout).toMatch(/^pkg\/cmd\/api\.py:3:1: EVL101 /m);
    expect(two.stdout).toMatch(/^pkg\/db\.py:1:8: EVL301 /m);
    const dot = await run(["check", "./pkg/"], { cwd: root });
    expect(dot.stdout).toMatch(/^pkg\/db\.py:1:8: EVL301 /m);
  });

  test("json has exactly the documented keys", async () => {
    const r = await run(["check", "--format", "json", "."], { cwd: root });
    const parsed = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toContain("findings");
    const db = parsed.findings.find((f) => f.rule === "EVL301")!;
    expect(db).toEqual({
      rule: "EVL301",
      name: "eventlet-unfriendly-db-driver",
      severity: "warning",
      path: "pkg/db.py",
      line: 1,
      column: 8,
      endLine: 1,
      endColumn: 15,
      message: expect.stringMatching(/\S/),
      section: { title: expect.stringMatching(/Database Drivers/), url: expect.stringMatching(/^https:\/\/specs\.openstack\.org\/.*#database-drivers$/) },
    });
    const required = ["rule", "name", "severity", "path", "line", "column", "endLine", "endColumn", "message", "section"];
    for (const f of parsed.findings) {
      expect(Object.keys(f).filter((k) => !required.includes(k)).every((k) => k === "related" || k === "fix")).toBe(true);
      for (const key of required) expect(f).toHaveProperty(key);
      expect(typeof f.line).toBe("number");
    }
  });

  test("json paths use / and are relative to the PATH given", async () => {
    const r = await run(["check", "--format", "json", "pkg"], { cwd: join(root) });
    expect(findingsOf(r.stdout).map((f) => f.path).sort()).toEqual(["cmd/api.py", "db.py"]);
  });
});

describe("--jobs, removed", () => {
  test("is ignored with a warning: the same findings, notices and order", async () => {
    writeTree(root, {
      ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`many/m${String(i).padStart(2, "0")}.py`, i % 3 ? `x = ${i}\n` : PY.mysqldb])),
      "many/binary.py": Uint8Array.from([0, 1, 2]),
      "many/syntax.py": "import MySQLdb\ndef broken(:\n",
    });
    const one = await run(["check", "--format", "json", "."], { cwd: root });
    const two = await run(["check", "--format", "json", "--jobs", "2", "."], { cwd: root });
    expect(findingsOf(one.stdout).length).toBeGreaterThan(10);
    expect(two).toEqual({ ...one, stderr: `eventlet-review: --jobs is ignored: one thread analyzes the tree (see docs/benchmark.md)\n${one.stderr}` });
  });
});

describe("configuration", () => {
  test("found at the repository top when checking a subdirectory", async () => {
    writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL301: off\n" });
    const r = await run(["check", "--format", "json", "pkg"], { cwd: root });
    expect(findingsOf(r.stdout).map((f) => f.rule)).toEqual(["EVL101"]);
  });

  test("a nearer .eventlet-review.yml wins; discovery stops at the repository top", async () => {
    writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL301: off\n", "pkg/.eventlet-review.yml": "rules:\n  EVL101: off\n" });
    const r = await run(["check", "--format", "json", "pkg"], { cwd: root });
    expect(findingsOf(r.stdout).map((f) => f.rule)).toEqual(["EVL301"]);
  });

  test("severity overrides and include/exclude apply", async () => {
    writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL301: error\nexclude: ['pkg/cmd/**']\n" });
    const r = await run(["check", "--format", "json", "."], { cwd: root });
    expect(findingsOf(r.stdout)).toEqual([expect.objectContaining({ rule: "EVL301", severity: "error" })]);
    expect(r.code).toBe(1);
  });

  test("--config FILE (relative to the current directory) replaces discovery", async () => {
    writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL301: off\n", "conf/strict.yaml": "fail_level: warning\n" });
    const r = await run(["check", "--config", "conf/strict.yaml", "--format", "json", "pkg"], { cwd: root });
    expect(findingsOf(r.stdout).map((f) => f.rule).sort()).toEqual(["EVL101", "EVL301"]);
    expect(r.code).toBe(1);
  });

  test.each([
    ["fail_level: error\nrulez: {}\n", /unknown key "rulez"/],
    ["rules:\n  EVL301: {enabled: true, colour: red}\n", /unknown key "colour" in rules\.EVL301/],
    ["fail_level: fatal\n", /fail_level/],
    ["rules:\n  EVL999: off\n", /EVL999/],
    ["rules: [\n", /invalid YAML/],
  ])("a bad config exits 2 and names the problem: %j", async (yaml, message) => {
    writeTree(root, { ".eventlet-review.yaml": yaml });
    const r = await run(["check", "pkg"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^eventlet-review: \.eventlet-review\.yaml: /);
    expect(r.stderr).toMatch(message);
  });

  test("an unreadable --config exits 2", async () => {
    const r = await run(["check", "--config", "nope.yaml", "pkg"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read config file nope.yaml");
  });

  test("rules lists every rule with its state under the config", async () => {
    writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL105: on\n  EVL201: off\n" });
    const r = await run(["rules"], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^EVL105 .* on /m);
    expect(r.stdout).toMatch(/^EVL201 .* off /m);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(ALL_RULES.length);
  });
});

describe("bad input never crashes a run", () => {
  test("binary, oversized, non-UTF-8, syntax errors and unreadable files: notices, and the rest goes on", async () => {
    const big = `import MySQLdb\n${"x = 1\n".repeat(2000)}`;
    writeTree(root, {
      ".eventlet-review.yaml": "max_file_bytes: 4096\n",
      "bad/binary.py": Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
      "bad/big.py": big,
      // latin-1 bytes (é = 0xe9) in a comment, then a real finding.
      "bad/latin1.py": Buffer.concat([Buffer.from("# -*- coding: latin-1 -*-\n# caf"), Buffer.from([0xe9]), Buffer.from("\nimport MySQLdb\n")]),
      "bad/syntax.py": "import MySQLdb\ndef broken(:\n    pass\nURL = 'mysql://u@h/db'\n",
      "bad/secret.py": "import MySQLdb\n",
      "bad/zz_last.py": "import MySQLdb\n",
    });
    chmodSync(join(root, "bad/secret.py"), 0o000);
    const unreadable = process.getuid?.() !== 0; // root reads everything
    const r = await run(["check", "--format", "json", "bad"], { cwd: root });
    expect(r.code).toBe(0);
    const findings = findingsOf(r.stdout);
    const at = findings.map((f) => `${f.path}:${f.line}`);
    expect(at).toEqual(expect.arrayContaining(["latin1.py:3", "syntax.py:1", "zz_last.py:1"]));
    expect(at.some((a) => a.startsWith("binary.py") || a.startsWith("big.py"))).toBe(false);
    expect(r.stderr).toMatch(/^binary\.py: skipped: binary file$/m);
    expect(r.stderr).toMatch(/^big\.py: skipped: \d+ bytes is over the 4096-byte limit/m);
    expect(r.stderr).toMatch(/^syntax\.py: syntax error near line 2/m);
    if (unreadable) expect(r.stderr).toMatch(/^secret\.py: skipped: cannot read \(EACCES\)$/m);
    chmodSync(join(root, "bad/secret.py"), 0o644);
  });

  test("an unreadable directory is a notice, not a crash", async () => {
    if (process.getuid?.() === 0) return; // root reads every directory: nothing to test
    mkdirSync(join(root, "locked"));
    writeTree(root, { "locked/x.py": PY.mysqldb });
    chmodSync(join(root, "locked"), 0o000);
    try {
      const r = await run(["check", "."], { cwd: root });
      expect(r.stderr).toMatch(/^locked: skipped: cannot read directory/m);
      expect(r.stdout).toContain("pkg/db.py:1:8: EVL301");
    } finally {
      chmodSync(join(root, "locked"), 0o755);
    }
  });

  test("a path that is not a regular file (a FIFO) is skipped with a notice, never read", async () => {
    execFileSync("mkfifo", [join(root, "pipe.py")]);
    const r = await run(["check", "pipe.py", "pkg/db.py"], { cwd: root });
    expect(r.stderr).toMatch(/^pipe\.py: skipped: not a regular file$/m);
    expect(r.stdout).toContain("pkg/db.py:1:8: EVL301");
    // Walking a directory does not trip over it either.
    expect((await run(["check", "."], { cwd: root })).stdout).toContain("pkg/db.py:1:8: EVL301");
  });

  test("an empty file and a file of only a BOM are clean", async () => {
    writeTree(root, { "e/empty.py": "", "e/bom.py": "\ufeff" });
    expect(await run(["check", "e"], { cwd: root })).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

describe("terminals", () => {
  test("no progress and no summary when stderr is not a terminal", async () => {
    const r = await run(["check", "pkg"], { cwd: root, stderrIsTty: false });
    expect(r.stderr).toBe("");
  });

  test("progress on stderr when it is a terminal, stdout unchanged; a clean run's summary there too", async () => {
    writeTree(root, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`many/m${i}.py`, `x = ${i}\n`])));
    const plain = await run(["check", "."], { cwd: root });
    const tty = await run(["check", "."], { cwd: root, stderrIsTty: true });
    expect(tty.stdout).toBe(plain.stdout);
    expect(tty.stdout).toMatch(/^Found 2 findings \(1 error, 1 warning\) in 305 files\.\n$/m);
    const clean = await run(["check", "many"], { cwd: root, stderrIsTty: true });
    expect(clean.stdout).toBe("");
    expect(clean.stderr).toMatch(/No findings in 300 files \(0 parsed\)\.\n$/);
    // Progress lines redraw in place and are cleared before the summary.
    expect(tty.stderr).toContain(`\r${ESC}[2Kchecked `);
  });

  test("colour only when stdout is a terminal, never with NO_COLOR", async () => {
    const tty = await run(["check", "pkg/db.py"], { cwd: root, stdoutIsTty: true });
    expect(tty.stdout).toMatch(SGR);
    expect(tty.stdout.replace(SGR, "")).toBe((await run(["check", "pkg/db.py"], { cwd: root })).stdout);
    const pipe = await run(["check", "pkg/db.py"], { cwd: root, stdoutIsTty: false });
    expect(pipe.stdout).not.toContain(ESC);
    const noColor = await run(["check", "pkg/db.py"], { cwd: root, stdoutIsTty: true, env: { NO_COLOR: "1" } });
    expect(noColor.stdout).not.toContain(ESC);
    expect(noColor.stdout).toBe(pipe.stdout);
  });

  test("json and sarif never carry colour codes", async () => {
    for (const format of ["json", "sarif"]) {
      const r = await run(["check", "--format", format, "pkg"], { cwd: root, stdoutIsTty: true, stderrIsTty: true });
      expect(r.stdout).not.toContain(ESC);
      JSON.parse(r.stdout);
    }
  });
});

describe("the project root is the repository, not the PATH (fixtures/projects/widget)", () => {
  const WIDGET = join(process.cwd(), "fixtures", "projects", "widget");
  const keys = (json: string) => findingsOf(json).map((f) => `${f.rule} ${f.path}:${f.line}`);

  test("check some/dir gives the findings of check . restricted to that directory", async () => {
    const all = keys((await run(["check", "--format", "json", "."], { cwd: WIDGET })).stdout);
    expect(all).toEqual(["EVL301 widget/api.py:1", "EVL301 widget/cmd/db.py:1"]);
    // A cmd package __init__ that patches is an entry point, not a root package: no EVL102 from either run.
    const sub = keys((await run(["check", "--format", "json", "widget/cmd"], { cwd: WIDGET })).stdout);
    expect(sub).toEqual(["EVL301 db.py:1"]);
    const inside = keys((await run(["check", "--format", "json", "."], { cwd: join(WIDGET, "widget", "cmd") })).stdout);
    expect(inside).toEqual(["EVL301 db.py:1"]);
  });

  test("text joins the PATH given; json stays relative to it", async () => {
    const text = await run(["check", "widget/cmd"], { cwd: WIDGET });
    expect(text.stdout).toMatch(/^widget\/cmd\/db\.py:1:8: EVL301 /);
    expect(text.stdout).not.toContain("__init__.py");
  });

  test("globs in the config are judged from the directory holding it", async () => {
    const dir = tempDir();
    try {
      writeTree(dir, {
        ".git/HEAD": "ref: refs/heads/master\n",
        ".eventlet-review.yaml": "exclude: ['svc/legacy/**']\n",
        "svc/__init__.py": "",
        "svc/legacy/db.py": PY.mysqldb,
        "svc/db.py": PY.mysqldb,
      });
      expect(keys((await run(["check", "--format", "json", "svc"], { cwd: dir })).stdout)).toEqual(["EVL301 db.py:1"]);
      expect((await run(["check", "--format", "json", "svc/legacy"], { cwd: dir })).stdout).toContain('"findings": []');
    } finally {
      cleanup(dir);
    }
  });

  test("--diff on a subdirectory scopes the same as on the root", async () => {
    const dir = tempDir();
    try {
      writeTree(dir, { "setup.cfg": "[metadata]\nname = svc\n", "svc/__init__.py": "", "svc/cmd/__init__.py": PY.patchFirst, "svc/cmd/db.py": PY.mysqldb });
      const diff = join(dir, "change.diff");
      writeTree(dir, { "change.diff": "--- a/svc/cmd/__init__.py\n+++ b/svc/cmd/__init__.py\n@@ -0,0 +1,2 @@\n+import eventlet\n+eventlet.monkey_patch()\n--- a/svc/cmd/db.py\n+++ b/svc/cmd/db.py\n@@ -0,0 +1 @@\n+import MySQLdb\n" });
      const sub = await run(["check", "--format", "json", "--diff", diff, "svc/cmd"], { cwd: dir });
      expect(keys(sub.stdout)).toEqual(["EVL301 db.py:1"]);
    } finally {
      cleanup(dir);
    }
  });
});
