/**
 * Snapshots of every review text outside the inline comments (GitHub review body, check run title,
 * summary and text, Gerrit message, Action job summary): a wording change is a reviewed diff of
 * test/review/__snapshots__/summary.test.ts.snap (`npm run jest -- -u test/review/summary.test.ts`).
 */
import { configSchema } from "../../src/config/schema.js";
import { ChangedLines } from "../../src/diff/changed-lines.js";
import type { Finding } from "../../src/model/finding.js";
import { reviewMessage } from "../../src/platforms/gerrit/publisher.js";
import { commentBody } from "../../src/review/comment.js";
import { NOT_INLINE } from "../../src/review/plan.js";
import type { ReviewResult } from "../../src/review/review.js";
import { actionSummary, checkSummary, checkText, checkTitle, gerritMessage, githubReviewBody } from "../../src/review/summary.js";

const db: Finding = {
  rule: "EVL301",
  name: "eventlet-unfriendly-db-driver",
  severity: "warning",
  path: "nova/db/api.py",
  line: 12,
  column: 1,
  endLine: 12,
  endColumn: 15,
  message: "MySQLdb is a C extension that blocks every green thread while it waits: use PyMySQL",
  section: { title: "Database drivers", url: "https://example.org/spec#db" },
  fix: { replacement: "import pymysql", line: 12, endLine: 12, safety: "safe", description: "use PyMySQL" },
};
const patch: Finding = {
  rule: "EVL101",
  name: "monkey-patch-not-first",
  severity: "error",
  path: "nova/cmd/api.py",
  line: 5,
  column: 1,
  endLine: 5,
  endColumn: 24,
  message: "eventlet.monkey_patch() runs after modules it should patch were imported: patch first",
  section: { title: "Monkey patching", url: "https://example.org/spec#patch" },
  related: [{ path: "nova/cmd/api.py", line: 2, message: "imports threading before the patch" }],
};

const result: ReviewResult = {
  config: configSchema.parse({}),
  findings: [patch, db],
  notices: [{ path: "nova/huge.py", message: "skipped: larger than the size limit" }],
  changed: new ChangedLines(),
  filesReviewed: 3,
  outcome: "fail",
  factsLine: "eventlet: nova (eventlet 0.36.1)",
};
const clean: ReviewResult = { ...result, findings: [], notices: [], outcome: "clean", factsLine: undefined };

test("inline comment body, with and without its suggestion", () => {
  expect(commentBody(db, { suggestions: true })).toMatchSnapshot();
  expect(commentBody(patch, { suggestions: false })).toMatchSnapshot();
});

test("GitHub review body", () => {
  expect(githubReviewBody(result, [db], "eventlet-review")).toMatchSnapshot();
});

test("GitHub check run: title, summary and text", () => {
  expect(checkTitle(result.findings)).toMatchSnapshot();
  expect(checkTitle([])).toMatchSnapshot();
  expect(checkSummary(result, "0123456789abcdef", { posted: 1, alreadyCommented: 1, resolved: 2, dismissed: 0 })).toMatchSnapshot();
  expect(checkSummary(clean, "0123456789abcdef", { posted: 0, alreadyCommented: 0, resolved: 0, dismissed: 1 })).toMatchSnapshot();
  expect(checkSummary({ ...clean, filesReviewed: 0 }, "0123456789abcdef", { posted: 0, alreadyCommented: 0, resolved: 0, dismissed: 0 })).toMatchSnapshot();
  expect(checkText([{ finding: patch, why: NOT_INLINE.overCap(1) }], result.notices)).toMatchSnapshot();
});

test("Gerrit message: findings with a rejected comment and no vote; clean", () => {
  expect(gerritMessage(result, 4, [{ path: db.path, line: 12, finding: db }], false, "No vote: a newer patch set exists.", "eventlet-review recheck")).toMatchSnapshot();
  expect(reviewMessage(clean, 1, [], true)).toMatchSnapshot();
});

test("GitHub Action job summary", () => {
  expect(actionSummary(result)).toMatchSnapshot();
});
