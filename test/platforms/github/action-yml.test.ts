/** action.yml: the inputs reach `eventlet-review github` as flags, through env (no expression injection). */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const REPO = resolve(new URL(".", import.meta.url).pathname, "../../..");
interface Step {
  id?: string;
  shell: string;
  run: string;
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
  for (const step of action.runs.steps) expect(step.run).not.toMatch(/\$\{\{/); // inputs only through env
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
      execFileSync("bash", ["-e", "-c", step.run], {
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
