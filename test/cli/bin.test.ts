/**
 * The installed command: `bin/eventlet-review.js` spawned as a real process after `npm run build`,
 * with real pipes for stdin, stdout and stderr (neither is a terminal here).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { join, resolve } from "node:path";
import { validateSarif } from "../formats/sarif-schema.js";
import { cleanup, commitAll, initRepo, PY, tempDir, writeTree } from "./helpers.js";

const repoTop = resolve(import.meta.dirname, "../..");
const bin = join(repoTop, "bin/eventlet-review.js");
let project: string;

beforeAll(() => {
  // `npm run build` when dist/ is missing or older than any source file (npm ci builds it through
  // `prepare`). A type error elsewhere in the tree still emits JavaScript, so judge by the output.
  if (distIsStale()) {
    try {
      execFileSync("npm", ["run", "--silent", "build"], { cwd: repoTop, stdio: "pipe" });
    } catch (error) {
      if (!existsSync(join(repoTop, "dist/cli/main.js"))) throw error;
    }
  }
  project = tempDir("evr-bin-");
  writeTree(project, {
    "nova/__init__.py": "",
    "nova/cmd/__init__.py": "",
    "nova/cmd/api.py": PY.patchAfterLogging,
    "nova/db.py": PY.mysqldb,
  });
  initRepo(project);
  commitAll(project, "base");
}, 120_000);

afterAll(() => cleanup(project));

function distIsStale(): boolean {
  if (!existsSync(join(repoTop, "dist/bundle/main.js"))) return true;
  const built = join(repoTop, "dist/cli/main.js");
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const sources = readdirSync(join(repoTop, "src"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return sources.some((f) => statSync(join(repoTop, "src", f)).mtimeMs > builtAt);
}

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: project, input, encoding: "utf8", env: { PATH: process.env.PATH } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("check prints flake8-like lines, nothing on a piped stderr, and exits 1 on an error finding", () => {
  const r = cli(["check", "nova"]);
  expect(r.stderr).toBe("");
  // The PATH joined with the file's path, as flake8 prints it.
  expect(r.stdout.split("\n").filter(Boolean).map((l) => l.split(" ")[0])).toEqual(["nova/cmd/api.py:3:1:", "nova/db.py:1:8:", "Found"]);
  expect(r.code).toBe(1);
});

test("--format sarif is valid SARIF 2.1.0 with the PATH as its uriBaseId", () => {
  const r = cli(["check", "--format", "sarif", "nova"]);
  const sarif = JSON.parse(r.stdout);
  expect(validateSarif(sarif)).toBe(true);
  expect(sarif.runs[0].originalUriBaseIds.PATH1.uri).toBe(`file://${join(project, "nova")}/`);
  expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(["EVL101", "EVL301"]);
});

test("--diff - reads a real pipe; --fail-level warning turns a warning into exit 1", () => {
  const diff = "--- a/nova/db.py\n+++ b/nova/db.py\n@@ -0,0 +1 @@\n+import MySQLdb\n";
  const r = cli(["check", "--format", "json", "--fail-level", "warning", "--diff", "-", "nova"], diff);
  expect(JSON.parse(r.stdout).findings.map((f: { path: string }) => f.path)).toEqual(["db.py"]);
  expect(r.code).toBe(1);
});

test("--jobs, removed, is ignored with a warning", () => {
  const one = cli(["check", "--format", "json", "nova"]);
  expect(cli(["check", "--format", "json", "--jobs", "2", "nova"])).toEqual({ ...one, stderr: `eventlet-review: --jobs is ignored: one thread analyzes the tree (see docs/benchmark.md)\n${one.stderr}` });
});

test("usage errors exit 2; --version and help exit 0", () => {
  expect(cli(["check", "--format", "yaml"]).code).toBe(2);
  expect(cli(["--version"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  expect(cli(["--help"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: eventlet-review \[options\] \[command\]/) });
  for (const command of ["check", "rules", "explain", "facts", "github", "serve"]) {
    expect(cli([command, "--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining(`eventlet-review ${command}`) });
  }
});

test("an unbuilt checkout gets one clear line and exit 2, not a module-not-found trace", () => {
  const dir = tempDir();
  try {
    writeTree(dir, { "bin/eventlet-review.js": readFileSync(bin, "utf8") });
    const r = spawnSync(process.execPath, [join(dir, "bin/eventlet-review.js"), "check", "."], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("eventlet-review: the CLI is not built yet: run `npm install` (or `npm run build`) in its folder\n");
  } finally {
    cleanup(dir);
  }
});

test("the command runs the bundle, a build of a few files; a rebuilt chunk is a new build to the results cache", () => {
  expect(readFileSync(bin, "utf8")).toContain("../dist/bundle/main.js");
  const copy = tempDir("evr-bundle-");
  try {
    cpSync(join(repoTop, "dist/bundle"), copy, { recursive: true });
    const run = () =>
      spawnSync(process.execPath, ["--input-type=module", "-e", `const { main } = await import(${JSON.stringify(join(copy, "main.js"))}); process.exitCode = await main(["check", "nova"]);`], {
        cwd: project,
        encoding: "utf8",
      });
    const caches = () => readdirSync(join(project, ".eventlet-review-cache")).filter((f) => f.startsWith("results-"));
    rmSync(join(project, ".eventlet-review-cache"), { recursive: true, force: true });
    const first = run();
    expect(first.stdout).toContain("nova/db.py:1:8:");
    expect(run().stdout).toBe(first.stdout);
    expect(caches()).toHaveLength(1);
    // A chunk that is not the results cache's own (the rules live elsewhere) changes: new build, new cache file.
    const chunk = readdirSync(copy).find((f) => f.startsWith("chunk-"))!;
    const later = new Date(Date.now() + 5000);
    utimesSync(join(copy, chunk), later, later);
    expect(run().stdout).toBe(first.stdout);
    expect(caches()).toHaveLength(2);
  } finally {
    cleanup(copy);
    rmSync(join(project, ".eventlet-review-cache"), { recursive: true, force: true });
  }
});
