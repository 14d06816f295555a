/**
 * SLOW (minutes): the pre-commit hook for real. Each temporary project's `.pre-commit-config.yaml` names
 * this repository (`repo:` its path, `rev:` HEAD's SHA), as a user's names our git URL, and
 * `pre-commit run` builds the hook's node environment the way every user's pre-commit does (npm install
 * with dev dependencies, `npm pack`, a global install of the tarball). The three projects share one
 * PRE_COMMIT_HOME, so that environment is built once: pre-commit locks its store while one run installs
 * and the others then reuse it. (`try-repo` would build one per run, in a fresh store each time: three
 * builds took 14 min at load 17 on 2 cores, and over 30 min once the store's native SQLite addon was a
 * dependency.) Needs Debian's `pre-commit` (CI installs it) and the npm registry; skipped with a message
 * when `pre-commit` is missing.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GIT_TEST_ENV } from "./helpers.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const hasPreCommit = spawnSync("pre-commit", ["--version"], { encoding: "utf8" }).status === 0;
/** The committed hook (HEAD's SHA as `rev:`), so the result never depends on unfinished work in the tree. */
const head = spawnSync("git", ["rev-parse", "--verify", "HEAD"], { cwd: REPO, encoding: "utf8" });
const HEAD = head.status === 0 ? head.stdout.trim() : "";
/** Set on a developer's busy machine to leave this minutes-long test to CI (.ci/run never sets it). */
const skipped = process.env.EVR_SKIP_PRE_COMMIT_TEST === "1";
if (skipped) console.warn("EVR_SKIP_PRE_COMMIT_TEST=1: skipping the pre-commit hook test (CI runs it)");
else if (!hasPreCommit) console.warn("pre-commit is not installed (apt-get install pre-commit): skipping the hook test");
else if (!HEAD) console.warn(`${REPO} is not a git checkout with a commit: skipping the hook test`);

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "evr-pre-commit-"));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A git repository with `committed` in its first commit and `staged` added to the index. */
function project(name: string, committed: Record<string, string>, staged: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_TEST_ENV } });
  git("init", "-q", "-b", "master");
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  write(committed);
  git("add", "-A");
  git("commit", "-q", "--allow-empty", "-m", "base");
  write(staged);
  git("add", "-A");
  return dir;
}

/** `pre-commit run` in `cwd` with this repository's hook at HEAD, from the shared store. */
function runHook(cwd: string, ...extra: string[]): Promise<{ code: number; output: string }> {
  writeFileSync(
    join(cwd, ".pre-commit-config.yaml"),
    `repos:\n  - repo: ${JSON.stringify(REPO)}\n    rev: ${HEAD}\n    hooks:\n      - id: eventlet-review\n`,
  );
  return new Promise((done) => {
    execFile(
      "pre-commit",
      ["run", "--color", "never", ...extra],
      // HOME stays: npm reads the registry settings from ~/.npmrc and reuses ~/.npm's cache.
      { cwd, env: { ...process.env, ...GIT_TEST_ENV, PRE_COMMIT_HOME: join(root, "pre-commit-home") }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

(hasPreCommit && HEAD && !skipped ? describe : describe.skip)("pre-commit run with this repository's hook (slow: installs the hook environment once)", () => {
  test("a staged violation fails the hook, a staged clean file passes; only staged lines count; --all-files reviews whole files", async () => {
    const violation = project(
      "violation",
      // Already committed: not part of what is being committed now, so never reported.
      { "legacy/db.py": "import MySQLdb\n", "README.md": "demo\n" },
      {
        "myapp/cmd/api.py": "import logging\nimport eventlet\neventlet.monkey_patch()\n",
        "myapp/clean.py": "import os\n\n\ndef here():\n    return os.getcwd()\n",
        "legacy/db.py": "import MySQLdb\n\nURL = 'mysql+pymysql://nova@db/nova'\n",
      },
    );
    const clean = project("clean", { "myapp/db.py": "import MySQLdb\n" }, { "myapp/util.py": "import os\n\n\ndef here():\n    return os.getcwd()\n", "notes.txt": "x\n" });

    // Nothing staged, an error committed long ago: `pre-commit run --all-files` (CI) must still see it.
    const legacy = project("legacy", { "myapp/cmd/api.py": "import eventlet\neventlet.monkey_patch(thread=False)\n" }, {});

    const [bad, good, all] = await Promise.all([runHook(violation), runHook(clean), runHook(legacy, "--all-files")]);

    expect(bad.output).toMatch(/eventlet-review\.+Failed/);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain("myapp/cmd/api.py:3:1: EVL101 ");
    expect(bad.output).not.toContain("myapp/clean.py");
    expect(bad.output).not.toContain("legacy/db.py"); // its MySQLdb import was committed before

    expect(good.output).toMatch(/eventlet-review\.+Passed/);
    expect(good.code).toBe(0);

    expect(all.code).toBe(1);
    expect(all.output).toContain("myapp/cmd/api.py:2:1: EVL104 [error] ");
  }, 30 * 60 * 1000);
});
