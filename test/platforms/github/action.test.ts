/**
 * `eventlet-review github` in GitHub Actions: real event payloads (@octokit/webhooks-examples) in
 * GITHUB_EVENT_PATH, GITHUB_TOKEN through @octokit/rest, against the fake GitHub the App's tests use
 * (nock, request bodies checked against GitHub's OpenAPI description).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type AddressInfo } from "node:net";
import nock from "nock";
import { githubCommand, type ActionIo } from "../../../src/platforms/github/action.js";
import { validateSarif } from "../../formats/sarif-schema.js";
import { FakeGithub, unifiedPatch, type FakeFile } from "./fake-github.js";
import { issueCommentEvent, pullRequestEvent } from "./helpers.js";

const TOKEN = "ghs_actionsJobToken0000000000000000000";
const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";

/** EVL104 (error) at line 2, EVL301 (warning) at line 4. */
const API = ["import eventlet", "eventlet.monkey_patch(thread=False)", "", "import MySQLdb", ""].join("\n");
const BASE_FILES = { "myapp/__init__.py": "", "myapp/cmd/__init__.py": "" };

function added(path: string, text: string): FakeFile {
  return { filename: path, status: "added", patch: unifiedPatch("", text) };
}

let fake: FakeGithub;
let dir: string;
let stdout: string;
let stderr: string;

beforeEach(() => {
  nock.disableNetConnect();
  fake = new FakeGithub().install();
  fake.commit(BASE, BASE_FILES);
  fake.commit(HEAD, { ...BASE_FILES, "myapp/cmd/api.py": API });
  dir = mkdtempSync(join(tmpdir(), "evr-action-"));
  stdout = "";
  stderr = "";
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
  expect(fake.invalid).toEqual([]);
});

function io(eventName: string, payload: unknown, env: Record<string, string> = {}): ActionIo {
  const eventPath = join(dir, "event.json");
  writeFileSync(eventPath, JSON.stringify(payload));
  writeFileSync(join(dir, "output"), "");
  writeFileSync(join(dir, "summary"), "");
  return {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: dir,
    env: {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: "Codertocat/Hello-World",
      GITHUB_API_URL: "https://api.github.com",
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: join(dir, "output"),
      GITHUB_STEP_SUMMARY: join(dir, "summary"),
      GITHUB_TOKEN: TOKEN,
      ...env,
    },
  };
}

const quiet = { octokit: { retry: { enabled: false }, throttle: { enabled: false } } };

function outputs(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dir, "output"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function writes() {
  return fake.requests.filter((r) => r.method !== "GET" && !(r.path === "/graphql" && /^EventletReview(Blobs|Threads)$/.test(r.operation ?? "")));
}

describe("a pull request from the same repository", () => {
  beforeEach(() => {
    fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files: [added("myapp/cmd/api.py", API)] });
  });

  test("gets the App's check run and review, authenticated with GITHUB_TOKEN only", async () => {
    const code = await githubCommand([], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet);
    expect(stderr).toBe("");
    expect(code).toBe(1); // EVL104 is an error: at the default fail level

    expect(fake.checkRuns).toHaveLength(1);
    const [run] = fake.checkRuns;
    expect(run).toMatchObject({ name: "eventlet-review", head_sha: HEAD, status: "completed", conclusion: "failure" });
    expect(run.annotations.map((a) => [a.path, a.start_line, a.annotation_level])).toEqual([
      ["myapp/cmd/api.py", 2, "failure"],
      ["myapp/cmd/api.py", 4, "warning"],
    ]);

    expect(fake.reviews).toHaveLength(1);
    expect(fake.reviews[0]).toMatchObject({ pull: 1, state: "COMMENTED", commit_id: HEAD });
    expect(fake.reviews[0].comments.map((c) => [c.path, c.line])).toEqual([
      ["myapp/cmd/api.py", 2],
      ["myapp/cmd/api.py", 4],
    ]);
    expect(fake.reviews[0].comments[0].body).toContain("**EVL104 monkey-patch-thread-disabled** (error)");

    // Only the job's token, never an App JWT or an installation token exchange.
    expect(new Set(fake.requests.map((r) => r.authorization))).toEqual(new Set([`token ${TOKEN}`]));
    expect(fake.calls("POST", /access_tokens/)).toEqual([]);
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).toContain("eventlet-review: 2 findings; check run failure, 2 new inline comments, 0 resolved.");
    expect(outputs()).toEqual({ findings: "2", reporter: "review" });
  });

  test("a second run on the same revision posts no duplicate comments (the App's fingerprints)", async () => {
    const event = pullRequestEvent("synchronize", { number: 1, headSha: HEAD, baseSha: BASE });
    await githubCommand([], io("pull_request", event), quiet);
    await githubCommand([], io("pull_request", event), quiet);
    expect(fake.checkRuns).toHaveLength(2);
    expect(fake.reviews).toHaveLength(1);
    expect(fake.threads.filter((t) => !t.isResolved)).toHaveLength(2);
  });

  test("a push that fixes a finding resolves its thread (the App's resolve-on-fix)", async () => {
    await githubCommand([], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet);
    const fixed = API.replace("monkey_patch(thread=False)", "monkey_patch()");
    const HEAD2 = "a2a2000000000000000000000000000000000002";
    fake.commit(HEAD2, { ...BASE_FILES, "myapp/cmd/api.py": fixed });
    fake.addPull({ number: 1, headSha: HEAD2, baseSha: BASE, files: [added("myapp/cmd/api.py", fixed)] });
    const code = await githubCommand([], io("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE })), quiet);
    expect(code).toBe(0); // only the EVL301 warning is left
    const byLine = new Map(fake.threads.map((t) => [t.line, t.isResolved]));
    expect(byLine).toEqual(new Map([[2, true], [4, false]]));
    expect(fake.reviews).toHaveLength(1); // nothing new to say
    expect(fake.checkRuns[1]).toMatchObject({ head_sha: HEAD2, conclusion: "neutral" });
  });

  test("--reporter check: the check run, no review", async () => {
    const code = await githubCommand(["--reporter", "check"], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet);
    expect(code).toBe(1);
    expect(fake.reviews).toEqual([]);
    expect(fake.checkRuns).toHaveLength(1);
    expect(fake.checkRuns[0].output?.text).toContain("the check reporter posts no review");
  });

  test("--fail-level (the action's fail-level input) overrides the config's, at the base revision", async () => {
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "# strict for the API\nfail_level: warning\nrules:\n  EVL104: off\n" });
    // Config says warning: the EVL301 warning fails.
    expect(await githubCommand([], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet)).toBe(1);
    expect(fake.checkRuns[0].conclusion).toBe("failure");
    // --fail-level error: the same warning is reported but does not fail.
    expect(await githubCommand(["--fail-level", "error"], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet)).toBe(0);
    expect(fake.checkRuns[1].conclusion).toBe("neutral");
    expect(fake.checkRuns[1].annotations.map((a) => a.start_line)).toEqual([4]);
  });

  test("--config reads another file at the base revision, never from the pull request's head", async () => {
    fake.commit(BASE, { ...BASE_FILES, "ci/eventlet-review.yaml": "rules:\n  EVL104: off\n  EVL301: off\n" });
    fake.commit(HEAD, { ...BASE_FILES, "myapp/cmd/api.py": API, "ci/eventlet-review.yaml": "rules:\n  EVL104: on\n" });
    const code = await githubCommand(["--config", "ci/eventlet-review.yaml"], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet);
    expect(code).toBe(0);
    expect(fake.checkRuns[0]).toMatchObject({ conclusion: "success" });
    expect(fake.reviews).toEqual([]);
  });
});

describe("a pull request from a fork (read-only token)", () => {
  beforeEach(() => {
    fake.addPull({ number: 2, headSha: HEAD, baseSha: BASE, headRepo: "octocat-fork/Hello-World", files: [added("myapp/cmd/api.py", API)] });
    // What GitHub answers a read-only GITHUB_TOKEN on every write.
    fake.fail("POST", /^\/repos\/Codertocat\/Hello-World\/(check-runs|pulls\/\d+\/reviews)$/, 403, 5, {
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest/checks/runs#create-a-check-run",
    });
  });

  test("falls back to workflow annotations and a SARIF file, posts nothing, and says so once", async () => {
    const event = pullRequestEvent("opened", { number: 2, headSha: HEAD, baseSha: BASE, fork: "octocat-fork/Hello-World" });
    const code = await githubCommand([], io("pull_request", event), quiet);
    expect(code).toBe(1);

    // Nothing written to GitHub: the one refused write (the review, the first of the two), then only reads.
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual(["POST /repos/Codertocat/Hello-World/pulls/2/reviews"]);
    expect(fake.checkRuns).toEqual([]);
    expect(fake.reviews).toEqual([]);

    expect(stdout.match(/The token cannot write/g)).toHaveLength(1);
    const lines = stdout.split("\n");
    expect(lines).toContain(
      "::error file=myapp/cmd/api.py,line=2,endLine=2,col=1,endColumn=36,title=EVL104 monkey-patch-thread-disabled::" +
        lines.find((l) => l.startsWith("::error file=myapp/cmd/api.py,line=2"))!.split("::")[2],
    );
    expect(lines.filter((l) => l.startsWith("::warning file=myapp/cmd/api.py,line=4,"))).toHaveLength(1);
    // Workflow command data is escaped: no raw newline or `::` inside a message.
    for (const l of lines.filter((x) => x.startsWith("::error file=") || x.startsWith("::warning file="))) expect(l.split("::")).toHaveLength(3);

    const sarifPath = join(dir, "eventlet-review.sarif");
    const sarif = JSON.parse(readFileSync(sarifPath, "utf8"));
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0].results.map((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => [
      r.ruleId,
      r.locations[0].physicalLocation.artifactLocation.uri,
      r.locations[0].physicalLocation.region.startLine,
    ])).toEqual([
      ["EVL104", "myapp/cmd/api.py", 2],
      ["EVL301", "myapp/cmd/api.py", 4],
    ]);
    expect(outputs()).toEqual({ findings: "2", reporter: "annotations", "sarif-file": sarifPath });
    expect(readFileSync(join(dir, "summary"), "utf8")).toContain("| EVL104 | monkey-patch-thread-disabled | error | 1 |");
  });

  test("--reporter annotations never tries to write", async () => {
    const event = pullRequestEvent("opened", { number: 2, headSha: HEAD, baseSha: BASE, fork: "octocat-fork/Hello-World" });
    const code = await githubCommand(["--reporter", "annotations", "--sarif", "out.sarif"], io("pull_request_target", event), quiet);
    expect(code).toBe(1);
    expect(writes()).toEqual([]);
    expect(stdout).not.toContain("The token cannot write");
    expect(JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8")).runs[0].results).toHaveLength(2);
  });

  test("annotations stop at the 10 of each kind a step shows, and the log says how many more the SARIF holds", async () => {
    const many = Array.from({ length: 14 }, (_, i) => `import MySQLdb as db${i}`).join("\n") + "\n";
    fake.commit(HEAD, { ...BASE_FILES, "myapp/cmd/api.py": API, "myapp/db.py": many });
    fake.pulls.get(2)!.files.push(added("myapp/db.py", many));
    const event = pullRequestEvent("opened", { number: 2, headSha: HEAD, baseSha: BASE, fork: "octocat-fork/Hello-World" });
    expect(await githubCommand(["--reporter", "annotations", "--sarif", "out.sarif"], io("pull_request_target", event), quiet)).toBe(1);
    const lines = stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("::warning file="))).toHaveLength(10); // 15 EVL301 warnings
    expect(lines.filter((l) => l.startsWith("::error file="))).toHaveLength(1);
    expect(stdout).toContain("eventlet-review: 5 more annotations not shown (a step shows at most 10 of each kind); every finding is in");
    expect(JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8")).runs[0].results).toHaveLength(16);
  });
});

describe("a recheck comment", () => {
  beforeEach(() => {
    fake.addPull({ number: 3, headSha: HEAD, baseSha: BASE, draft: true, author: "octocat", files: [added("myapp/cmd/api.py", API)] });
  });

  test("`/eventlet-review recheck` from a collaborator with write access reviews the pull request at its head, drafts too, with an eyes reaction", async () => {
    fake.roles.set("reviewer", "write");
    const event = issueCommentEvent({ number: 3, body: "Fixed the config.\n/eventlet-review recheck", login: "reviewer", association: "COLLABORATOR", commentId: 9001 });
    const code = await githubCommand([], io("issue_comment", event), quiet);
    expect(code).toBe(1);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls/3")).toHaveLength(1);
    expect(fake.reactions).toEqual([{ commentId: 9001, content: "eyes" }]);
    expect(fake.checkRuns).toHaveLength(1);
    expect(fake.checkRuns[0]).toMatchObject({ head_sha: HEAD, external_id: "3", conclusion: "failure" });
    expect(fake.reviews).toHaveLength(1);
  });

  test("from someone without write access, or any other comment, does nothing", async () => {
    fake.roles.set("passer-by", "read");
    const stranger = issueCommentEvent({ number: 3, body: "/eventlet-review recheck", login: "passer-by", association: "NONE" });
    expect(await githubCommand([], io("issue_comment", stranger), quiet)).toBe(0);
    const chatter = issueCommentEvent({ number: 3, body: "> /eventlet-review recheck\nno need", login: "octocat", association: "OWNER" });
    expect(await githubCommand([], io("issue_comment", chatter), quiet)).toBe(0);
    expect(writes()).toEqual([]);
    expect(fake.reactions).toEqual([]);
    expect(outputs()).toEqual({ findings: "0", reporter: "none" });
  });
});

describe("usage", () => {
  test("outside Actions, or with a bad reporter, exits 2 with a message", async () => {
    const bare: ActionIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: dir, env: {} };
    expect(await githubCommand([], bare)).toBe(2);
    expect(stderr).toContain("GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set");
    stderr = "";
    expect(await githubCommand(["--reporter", "email"], bare)).toBe(2);
    expect(stderr).toContain("--reporter must be one of review, check, annotations");
  });

  test("an API error ends in one line naming the request and exit 2, not a stack", async () => {
    fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files: [added("myapp/cmd/api.py", API)] });
    fake.fail("GET", /\/pulls\/1\/files/, 404, 5, { message: "Not Found" });
    const code = await githubCommand([], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^eventlet-review github: GitHub API error: HTTP 404 on GET \S+\/pulls\/1\/files\S*: Not Found$/m);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  test("an unreachable GitHub (connection refused) and a 502 end in one line and exit 2 too", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    nock.enableNetConnect("127.0.0.1");
    const event = pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE });
    expect(await githubCommand([], io("pull_request", event, { GITHUB_API_URL: `http://127.0.0.1:${port}` }), quiet)).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^eventlet-review github: GitHub API error: network error \\(network:ECONNREFUSED\\) on POST http://127\\.0\\.0\\.1:${port}/graphql: `)),
    ]);

    stderr = "";
    fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files: [added("myapp/cmd/api.py", API)] });
    fake.fail("GET", /\/pulls\/1\/files/, 502, 5, { message: "Bad Gateway" });
    expect(await githubCommand([], io("pull_request", event), quiet)).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^eventlet-review github: GitHub API error: HTTP 502 on GET \S+\/pulls\/1\/files\S*: /)]);
  });

  test("a push event is not an error: nothing to review", async () => {
    expect(await githubCommand([], io("push", { ref: "refs/heads/main", repository: { full_name: "Codertocat/Hello-World" } }), quiet)).toBe(0);
    expect(fake.requests).toEqual([]);
  });

});

describe("a pull request of more files than one blob query holds", () => {
  test("the Action reads them from one tarball (a 302 to codeload.github.com) and comments as the App does", async () => {
    const before: Record<string, string> = { ...BASE_FILES };
    const after: Record<string, string> = { ...BASE_FILES };
    const files: FakeFile[] = [];
    for (let i = 0; i < 150; i++) {
      before[`myapp/m${i}.py`] = `VALUE = ${i}\n`;
      after[`myapp/m${i}.py`] = i === 7 ? "import MySQLdb\n" : `VALUE = ${i + 1}\n`;
      files.push({ filename: `myapp/m${i}.py`, status: "modified", patch: `@@ -1 +1 @@\n-VALUE = ${i}\n+${after[`myapp/m${i}.py`].trimEnd()}` });
    }
    fake.commit(BASE, before);
    fake.commit(HEAD, after);
    fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files });
    const code = await githubCommand([], io("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE })), quiet);
    expect(stderr).toBe("");
    expect(code).toBe(0); // EVL301 is a warning
    expect(fake.calls("GET", /\/tarball\//)).toHaveLength(1);
    expect(fake.downloads).toHaveLength(1);
    expect(fake.graphqlCalls("EventletReviewBlobs")).toHaveLength(1); // the base config candidates, at the base SHA
    expect(fake.reviews[0].comments.map((c) => [c.path, c.line])).toEqual([["myapp/m7.py", 1]]);
  });
});
