/** The OpenAPI check the fake GitHub applies to every request body really catches bad bodies. */
import { operationFor, validateRequest } from "./openapi.js";

test("a valid review body passes and misspelled or mistyped fields fail", () => {
  const review = { commit_id: "a".repeat(40), event: "COMMENT", body: "b", comments: [{ path: "a.py", line: 3, side: "RIGHT", body: "x" }] };
  expect(validateRequest("POST", "/repos/o/r/pulls/3/reviews", review)).toEqual([]);
  expect(validateRequest("POST", "/repos/o/r/pulls/3/reviews", { ...review, comments: [{ path: "a.py", lin: 3, body: "x" }] })).toEqual([
    expect.stringContaining('"additionalProperty":"lin"'),
  ]);
  expect(validateRequest("POST", "/repos/o/r/pulls/3/reviews", { ...review, event: "COMMENTED" })).toEqual([expect.stringContaining("/event must be equal to one of the allowed values")]);
  expect(validateRequest("PATCH", "/repos/o/r/check-runs/9", { conclusion: "failed" })).not.toEqual([]);
  expect(validateRequest("POST", "/repos/o/r/no-such-endpoint", {})).toEqual([expect.stringContaining("not an operation")]);
});

test("paths map to the most specific template", () => {
  expect(operationFor("GET", "/repos/o/r/pulls/3/files")?.template).toBe("/repos/{owner}/{repo}/pulls/{pull_number}/files");
  expect(operationFor("PATCH", "/repos/o/r/check-runs/9")?.template).toBe("/repos/{owner}/{repo}/check-runs/{check_run_id}");
});

test("the GraphQL check catches unknown fields and mistyped variables", async () => {
  const { validateGraphql } = await import("./graphql.js");
  const add = "mutation M($input: AddPullRequestReviewThreadInput!) { addPullRequestReviewThread(input: $input) { thread { id } } }";
  expect(validateGraphql(add, { input: { pullRequestReviewId: "PRR_1", path: "a.py", line: 3, side: "RIGHT", body: "x" } })).toEqual([]);
  expect(validateGraphql(add, { input: { pullRequestReviewId: "PRR_1", path: "a.py", line: "3", side: "RIGHT", body: "x" } })).not.toEqual([]);
  expect(validateGraphql(add, { input: { pullRequestReviewId: "PRR_1", path: "a.py", lin: 3, body: "x" } })).not.toEqual([]);
  expect(validateGraphql("query { viewer { loginName } }")).toEqual([expect.stringContaining('Cannot query field "loginName"')]);
});
