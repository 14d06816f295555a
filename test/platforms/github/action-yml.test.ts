/** action.yml: the inputs reach `eventlet-review github` as flags, through env (no expression injection). */
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const REPO = resolve(new URL(".", import.meta.url).pathname, "../../..");
interface Step {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
const action = parse(readFileSync(join(REPO, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};

test("a composite action with the issue's inputs and safe run scripts", () => {
  expect(action.runs.using).toBe("composite");
  expect(Object.keys(action.inputs).sort()).toEqual(["config", "fail-level", "github-token", "reporter", "sarif-file"]);
  expect(action.inputs.reporter.default).toBe("review");
  expect(action.inputs["github-token"].default).toBe("${{ github.token }}");
  for (const step of action.runs.steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{/); // inputs only through env
  expect(Object.values(action.outputs).map((o) => o.value)).toEqual([
    "${{ steps.review.outputs.findings }}",
    "${{ steps.review.outputs.reporter }}",
    "${{ steps.review.outputs.sarif-file }}",
  ]);
});

test("the review step passes each input as a flag, and no --fail-level when it is empty", () => {
  const step = action.runs.steps.find((s) => s.id === "review")!;
  const dir = mkdtempSync(join(tmpdir(), "evr-action-yml-"));
  try {
    // A stand-in `node` that prints the arguments it was given, one per line.
    writeFileSync(join(dir, "node"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    chmodSync(join(dir, "node"), 0o755);
    const run = (inputs: Record<string, string>) =>
      execFileSync("bash", ["-e", "-c", step.run!], {
        encoding: "utf8",
        env: { PATH: `${dir}:/usr/bin:/bin`, GITHUB_ACTION_PATH: "/action", GITHUB_TOKEN: "t", ...inputs },
      }).split("\n").filter(Boolean);
    const inputs = { INPUT_REPORTER: "check", INPUT_CONFIG: "ci/evr config.yaml", INPUT_SARIF_FILE: "out.sarif" };
    expect(run({ ...inputs, INPUT_FAIL_LEVEL: "" })).toEqual([
      "/action/bin/eventlet-review.js", "github", "--reporter", "check", "--config", "ci/evr config.yaml", "--sarif", "out.sarif",
    ]);
    expect(run({ ...inputs, INPUT_FAIL_LEVEL: "warning" }).slice(-2)).toEqual(["--fail-level", "warning"]);
    expect(Object.keys(step.env!).sort()).toEqual(["GITHUB_TOKEN", "INPUT_CONFIG", "INPUT_FAIL_LEVEL", "INPUT_REPORTER", "INPUT_SARIF_FILE"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("supply chain: production dependencies only, no install scripts, cached, every action pinned by SHA", () => {
  const text = readFileSync(join(REPO, "action.yml"), "utf8");
  const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!);
  expect(uses.length).toBeGreaterThan(0);
  for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  // The version the SHA stands for is said next to it.
  expect(text).toMatch(/uses: actions\/cache@[0-9a-f]{40} # v\d+\.\d+\.\d+/);
  const cache = action.runs.steps.find((s) => s.uses?.startsWith("actions/cache@"))!;
  expect(cache.with!.path).toContain("${{ github.action_path }}/node_modules");
  expect(cache.with!.path).toContain("${{ github.action_path }}/dist");
  const install = action.runs.steps.find((s) => /\bnpm (ci|install|i)\b/.test(s.run ?? ""))!;
  expect(install.if).toBe(`steps.${cache.id}.outputs.cache-hit != 'true'`);
  // Every npm install in the action: scripts off; the project's own: production dependencies only.
  const npmLines = action.runs.steps.flatMap((s) => (s.run ?? "").split("\n")).filter((l) => /\bnpm (ci|install|i)\b/.test(l));
  expect(npmLines).toHaveLength(2);
  for (const l of npmLines) expect(l).toContain("--ignore-scripts");
  expect(npmLines[0]).toMatch(/^npm ci --omit=dev --ignore-scripts/);
  // The second brings the compiler alone, at the lock's version, into a scratch folder.
  expect(npmLines[1]).toContain('--prefix "$RUNNER_TEMP/eventlet-review-build"');
  expect(npmLines[1]).toContain('"typescript@${tsc_version}"');
});

test("the action's build (TypeScript alone, no type check, no @types) emits the CLI the review step runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "evr-action-build-"));
  try {
    // A copy of what the action's folder holds, without node_modules.
    for (const entry of ["src", "tsconfig.json", "tsconfig.build.json", "tsconfig.action.json"]) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
    const tsc = join(REPO, "node_modules/typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.action.json", "--noCheck"], { cwd: dir, encoding: "utf8" });
    expect(readFileSync(join(dir, "dist/cli/main.js"), "utf8")).toContain("export");
    expect(readFileSync(join(dir, "dist/platforms/github/action.js"), "utf8").length).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
