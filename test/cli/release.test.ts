/**
 * The release pieces that run only on a tag: the Action rebuilt as one bundled node24 file
 * (scripts/release-action.ts), and the workflow lint that `npm run lint` runs (scripts/lint-workflows.ts).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { releaseAction } from "../../scripts/release-action.js";
import { cleanup, tempDir, writeTree } from "./helpers.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let dir: string;

beforeEach(() => {
  dir = tempDir("evr-release-");
});

afterEach(() => cleanup(dir));

test("the released action.yml runs the bundle on node24 and keeps every input", async () => {
  copyFileSync(join(REPO, "action.yml"), join(dir, "action.yml"));
  const before = parse(readFileSync(join(REPO, "action.yml"), "utf8"));
  const cwd = process.cwd();
  process.chdir(REPO); // the bundle is built from the repository's sources
  try {
    await releaseAction(dir);
  } finally {
    process.chdir(cwd);
  }
  const after = parse(readFileSync(join(dir, "action.yml"), "utf8"));
  expect(after.runs).toEqual({ using: "node24", main: "dist-action/index.js" });
  expect(after.inputs).toEqual(before.inputs);
  expect(Object.keys(after.outputs)).toEqual(Object.keys(before.outputs));
  for (const output of Object.values(after.outputs) as { value?: string }[]) expect(output.value).toBeUndefined();
  for (const file of ["index.js", "sandbox-worker.js", "web-tree-sitter.wasm", "tree-sitter-python.wasm"]) expect(existsSync(join(dir, "dist-action", file))).toBe(true);

  // Outside a workflow run, the bundled Action stops with one clear line, not a stack.
  const run = spawnSync(process.execPath, [join(dir, "dist-action/index.js")], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH, INPUT_REPORTER: "annotations", "INPUT_FAIL-LEVEL": "warning" },
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^eventlet-review github: .*GITHUB_EVENT_PATH/m);
}, 120_000);

test("the workflow lint refuses a broken expression and an action pinned by tag", () => {
  writeTree(dir, {
    ".github/workflows/bad.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo ${{ github.sha }\n",
  });
  const lint = spawnSync(process.execPath, ["--import", "tsx", "scripts/lint-workflows.ts", join(dir, ".github/workflows/bad.yml")], { cwd: REPO, encoding: "utf8" });
  expect(lint.status).toBe(1);
  expect(lint.stderr).toMatch(/bad\.yml:7:\d+: .*\[expression\]/);
  expect(lint.stderr).toContain("actions/checkout@v4 is not pinned by a commit SHA");
});
