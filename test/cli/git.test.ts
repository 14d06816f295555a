/** `--base REF`, `--staged` and `--diff FILE|-` against real temporary git repositories. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, commitAll, findingsOf, git, initRepo, PY, run, tempDir, writeTree } from "./helpers.js";

let repo: string;
let elsewhere: string;

const API_BEFORE = "import eventlet\neventlet.monkey_patch()\n\nimport sys\n";

beforeEach(() => {
  repo = tempDir("evr-repo-");
  elsewhere = tempDir("evr-cwd-");
  initRepo(repo);
  writeTree(repo, {
    "nova/__init__.py": "",
    "nova/cmd/__init__.py": "",
    "nova/cmd/api.py": API_BEFORE,
    "nova/old_db.py": PY.mysqldb, // an existing finding: never reported by a change-scoped run
    "README": "hello\n",
  });
  commitAll(repo, "base");
});

afterEach(() => {
  cleanup(repo);
  cleanup(elsewhere);
});

const where = (json: string) => findingsOf(json).map((f) => `${f.rule} ${f.path}:${f.line}`);

describe("--base REF", () => {
  test("reports only what the branch adds since the merge base, run from another directory", async () => {
    git(repo, "checkout", "-q", "-b", "feature");
    writeTree(repo, { "nova/new_db.py": `x = 1\n${PY.mysqldb}` });
    commitAll(repo, "feature work");
    // master moves on after the branch point: its new finding is not the branch's doing.
    git(repo, "checkout", "-q", "master");
    writeTree(repo, { "nova/master_db.py": PY.mysqldb });
    commitAll(repo, "master work");
    git(repo, "checkout", "-q", "feature");
    // Uncommitted work in the tree counts too.
    writeFileSync(join(repo, "nova/old_db.py"), `${PY.mysqldb}URL = "mysql://u@h/nova"\n`);

    const r = await run(["check", "--format", "json", "--base", "master", join(repo, "nova")], { cwd: elsewhere });
    expect(where(r.stdout).sort()).toEqual(["EVL301 new_db.py:2", "EVL301 old_db.py:2"]);
    expect(r.code).toBe(0);
  });

  test("untracked Python files count as wholly added; ignored ones do not", async () => {
    writeTree(repo, { ".gitignore": "ignored_*.py\n", "nova/fresh.py": PY.mysqldb, "nova/ignored_x.py": PY.mysqldb });
    const r = await run(["check", "--format", "json", "--base", "HEAD", "."], { cwd: repo });
    expect(where(r.stdout)).toEqual(["EVL301 nova/fresh.py:1"]);
  });

  test("a change that inserts `import logging` above an untouched patch call is caught", async () => {
    writeFileSync(join(repo, "nova/cmd/api.py"), `import logging\n${API_BEFORE}`);
    const r = await run(["check", "--format", "json", "--base", "HEAD", "nova"], { cwd: repo });
    const f = JSON.parse(r.stdout).findings as { rule: string; line: number; related?: { line: number }[] }[];
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "EVL101", line: 3 });
    expect(f[0].related?.map((x) => x.line)).toContain(1);
    expect(r.code).toBe(1);
    // The same patch call with no new code above it is not the change's finding.
    writeFileSync(join(repo, "nova/cmd/api.py"), `${API_BEFORE}import logging\n`);
    const below = await run(["check", "--format", "json", "--base", "HEAD", "nova"], { cwd: repo });
    expect(findingsOf(below.stdout)).toEqual([]);
  });

  test("deleted and renamed files: a pure rename adds nothing, a rename with edits adds its new lines", async () => {
    const body = `${PY.mysqldb}${Array.from({ length: 20 }, (_, i) => `X${i} = ${i}\n`).join("")}`;
    writeTree(repo, { "nova/big_db.py": body });
    commitAll(repo, "big");
    git(repo, "mv", "nova/big_db.py", "nova/renamed_db.py");
    git(repo, "rm", "-q", "nova/cmd/api.py");
    expect(findingsOf((await run(["check", "--format", "json", "--base", "HEAD", "."], { cwd: repo })).stdout)).toEqual([]);
    // Git still sees a rename (similar enough): only the appended line is new.
    writeFileSync(join(repo, "nova/renamed_db.py"), `${body}URL = "mysql://u@h/db"\n`);
    const r = await run(["check", "--format", "json", "--base", "HEAD", "."], { cwd: repo });
    expect(where(r.stdout)).toEqual(["EVL301 nova/renamed_db.py:22"]);
  });

  test("holds against a user's git config (no prefixes, colour, external diff)", async () => {
    git(repo, "config", "diff.noprefix", "true");
    git(repo, "config", "color.diff", "always");
    git(repo, "config", "diff.external", "false");
    writeFileSync(join(repo, "nova/old_db.py"), `${PY.mysqldb}URL = "mysql://u@h/nova"\n`);
    const r = await run(["check", "--format", "json", "--base", "HEAD", "."], { cwd: repo });
    expect(where(r.stdout)).toEqual(["EVL301 nova/old_db.py:2"]);
  });

  test("file names git quotes (non-ASCII, spaces) still match", async () => {
    writeTree(repo, { "nova/caf\u00e9 db.py": "x = 1\n" });
    commitAll(repo, "odd name");
    writeFileSync(join(repo, "nova/caf\u00e9 db.py"), `x = 1\n${PY.mysqldb}`);
    const r = await run(["check", "--format", "json", "--base", "HEAD", "nova"], { cwd: repo });
    expect(where(r.stdout)).toEqual(["EVL301 caf\u00e9 db.py:2"]);
  });

  test("outside a git repository, or with an unknown REF: exit 2 with git's reason", async () => {
    writeTree(elsewhere, { "a.py": PY.mysqldb });
    const outside = await run(["check", "--base", "HEAD", "."], { cwd: elsewhere });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^eventlet-review: git .*failed/);
    const unknown = await run(["check", "--base", "no-such-branch", "."], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/merge-base no-such-branch HEAD failed/);
  });
});

describe("--staged", () => {
  test("reports the lines added to the index, not unstaged ones", async () => {
    writeTree(repo, { "nova/staged.py": PY.mysqldb });
    git(repo, "add", "nova/staged.py");
    writeTree(repo, { "nova/unstaged.py": PY.mysqldb });
    writeFileSync(join(repo, "nova/old_db.py"), `${PY.mysqldb}URL = "mysql://u@h/nova"\n`);
    const r = await run(["check", "--format", "json", "--staged", "."], { cwd: repo });
    expect(where(r.stdout)).toEqual(["EVL301 nova/staged.py:1"]);
  });
});

describe("--pre-commit: the files pre-commit passes", () => {
  test("on a commit (every file given is staged) only the staged lines count", async () => {
    writeFileSync(join(repo, "nova/old_db.py"), `${PY.mysqldb}URL = "mysql://u@h/nova"\n`);
    git(repo, "add", "nova/old_db.py");
    const r = await run(["check", "--format", "json", "--pre-commit", "nova/old_db.py"], { cwd: repo });
    expect(where(r.stdout)).toEqual(["EVL301 nova/old_db.py:2"]);
  });

  test("with --all-files (files given that are not staged) whole files are reviewed", async () => {
    writeTree(repo, { "nova/staged.py": PY.patchFirst });
    git(repo, "add", "nova/staged.py");
    const r = await run(["check", "--format", "json", "--pre-commit", "nova/old_db.py", "nova/staged.py", "nova/cmd/api.py"], { cwd: repo });
    expect(r.code).toBe(0); // EVL301 is a warning
    expect(where(r.stdout)).toContain("EVL301 nova/old_db.py:1");
  });

  test("does not combine with another change selector", async () => {
    const r = await run(["check", "--pre-commit", "--staged", "nova/old_db.py"], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pre-commit decides by itself/);
  });
});

describe("--diff FILE and --diff -", () => {
  const diffAfterEdit = () => {
    writeFileSync(join(repo, "nova/old_db.py"), `${PY.mysqldb}URL = "mysql://u@h/nova"\n`);
    writeTree(repo, { "nova/fresh.py": PY.mysqldb });
    git(repo, "add", "-N", "nova/fresh.py");
    return git(repo, "diff", "HEAD");
  };

  test("a git diff file scopes the review to its added lines", async () => {
    writeFileSync(join(elsewhere, "change.diff"), diffAfterEdit());
    const r = await run(["check", "--format", "json", "--diff", join(elsewhere, "change.diff"), "."], { cwd: repo });
    expect(where(r.stdout).sort()).toEqual(["EVL301 nova/fresh.py:1", "EVL301 nova/old_db.py:2"]);
  });

  test("`-` reads the diff from standard input", async () => {
    const r = await run(["check", "--format", "json", "--diff", "-", "nova"], { cwd: repo, stdin: diffAfterEdit() });
    expect(where(r.stdout).sort()).toEqual(["EVL301 fresh.py:1", "EVL301 old_db.py:2"]);
  });

  test("stdin is read once even with several PATHs", async () => {
    const r = await run(["check", "--format", "json", "--diff", "-", "nova/fresh.py", "nova/old_db.py"], { cwd: repo, stdin: diffAfterEdit() });
    expect(where(r.stdout).sort()).toEqual(["EVL301 nova/fresh.py:1", "EVL301 nova/old_db.py:2"]);
  });

  test("git diff paths are repository-relative even when run from a subdirectory", async () => {
    const r = await run(["check", "--format", "json", "--diff", "-", "."], { cwd: join(repo, "nova"), stdin: diffAfterEdit() });
    expect(where(r.stdout).sort()).toEqual(["EVL301 fresh.py:1", "EVL301 old_db.py:2"]);
  });

  test("an empty diff reports nothing", async () => {
    const r = await run(["check", "--diff", "-", "."], { cwd: repo, stdin: "" });
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});
