/** `eventlet-review feedback`: the per-rule table from a store the service wrote, as text and json. */
import { join } from "node:path";
import { Store } from "../../src/service/store/store.js";
import { cleanup, run, tempDir } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = tempDir("evr-feedback-");
  const store = await Store.open({ sqlitePath: join(dir, "eventlet-review.sqlite") });
  const findings = Array.from({ length: 6 }, (_, i) => ({ rule: "EVL301", fingerprint: `${i}`.repeat(16) }));
  await store.recordReview({ platform: "github", repository: "o/r", change: "1", revision: "a".repeat(40), findings: [...findings, { rule: "EVL104", fingerprint: "f".repeat(16) }], posted: 7, resolved: 0, durationMs: 100 });
  const base = { platform: "github" as const, repository: "o/r", change: "1", rule: "EVL301", gesture: "reply" as const };
  await store.recordFeedback({ ...base, fingerprint: "0".repeat(16), who: "alice", verdict: "not_useful", reason: "this is the Windows branch" });
  await store.recordFeedback({ ...base, fingerprint: "1".repeat(16), who: "bob", verdict: "not_useful", gesture: "reaction" });
  await store.recordFeedback({ ...base, fingerprint: "2".repeat(16), who: "carol", verdict: "useful" });
  await store.close();
});

afterAll(() => cleanup(dir));

test("text: one line per rule, the ratio, the flag and the latest reason", async () => {
  const result = await run(["feedback"], { cwd: dir });
  expect(result).toEqual({
    code: 0,
    stderr: "",
    stdout: [
      "rule    findings  useful  not useful  ratio           latest reason",
      'EVL301         6       1           2    33%  FLAGGED  "this is the Windows branch" (alice)',
      "EVL104         1       0           0     0%",
      "",
      "Last 30 days. ratio = findings someone called not useful / findings.",
      "",
    ].join("\n"),
  });
});

test("json, with the threshold from the environment", async () => {
  const result = await run(["feedback", "--format", "json", "--database", join(dir, "eventlet-review.sqlite")], { cwd: "/", env: { FEEDBACK_FLAG_RATIO: "0.5" } });
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { flagRatio: number; rules: { rule: string; ratio: number; flagged: boolean; notUsefulFindings: number }[] };
  expect(report.flagRatio).toBe(0.5);
  expect(report.rules.map((r) => [r.rule, r.notUsefulFindings, Number(r.ratio.toFixed(3)), r.flagged])).toEqual([
    ["EVL301", 2, 0.333, false],
    ["EVL104", 0, 0, false],
  ]);
});

test("no store where it is looked for: exit 2, saying where it looked", async () => {
  const result = await run(["feedback"], { cwd: join(dir, "..") , env: { DATABASE_PATH: "nowhere.sqlite" } });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("no store at");
  expect(result.stderr).toContain("nowhere.sqlite");
});
