/** The Gerrit review message: what the project runs on, when the review found facts. */
import { configSchema } from "../../../src/config/schema.js";
import { ChangedLines } from "../../../src/diff/changed-lines.js";
import { reviewMessage } from "../../../src/platforms/gerrit/publisher.js";
import type { ReviewResult } from "../../../src/review/review.js";

const base: ReviewResult = {
  config: configSchema.parse({}),
  findings: [],
  notices: [],
  changed: new ChangedLines(),
  filesReviewed: 2,
  outcome: "clean",
};

test("names the concurrency model and versions in one line when facts were found", () => {
  const message = reviewMessage({ ...base, factsLine: "threading: neutron/cmd; eventlet: neutron/tests" }, 3, [], true);
  expect(message.split("\n\n")[1]).toBe("Runs on threading: neutron/cmd; eventlet: neutron/tests.");
});

test("says nothing about facts when none were found", () => {
  expect(reviewMessage(base, 3, [], true)).not.toContain("Runs on");
});
