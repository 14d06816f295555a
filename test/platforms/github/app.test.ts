/**
 * The GitHub App end to end: signed webhooks into the real HTTP server, jobs through the queue
 * contract, reviews against a fake GitHub (nock) whose request bodies are checked against GitHub's
 * OpenAPI description.
 */
import nock from "nock";
import { FakeGithub, INSTALLATION_TOKEN, unifiedPatch, type FakeFile } from "./fake-github.js";
import { issueCommentEvent, pullRequestEvent, rerequestEvent, startHarness, type Harness } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD1 = "a1a1000000000000000000000000000000000001";
const HEAD2 = "a2a2000000000000000000000000000000000002";
const HEAD3 = "a3a3000000000000000000000000000000000003";

const API_V1 = [
  "import eventlet",
  "eventlet.monkey_patch(thread=False)",
  "",
  "import MySQLdb",
  "",
  "CONNECTION = 'mysql://nova:secret@db/nova'",
  "",
].join("\n");

/** Push 2 fixes the thread=False patch and adds a subprocess call: one finding gone, one new. */
const API_V2 = [
  "import eventlet",
  "eventlet.monkey_patch()",
  "",
  "import MySQLdb",
  "import subprocess",
  "",
  "CONNECTION = 'mysql://nova:secret@db/nova'",
  "",
  "",
  "def run():",
  "    subprocess.call(['ls'])",
  "",
].join("\n");

const BASE_FILES = { "myapp/__init__.py": "", "myapp/cmd/__init__.py": "", "README.md": "# demo\n" };

function added(path: string, text: string): FakeFile {
  return { filename: path, status: "added", patch: unifiedPatch("", text) };
}
function modified(path: string, before: string, after: string): FakeFile {
  return { filename: path, status: "modified", patch: unifiedPatch(before, after) };
}

let fake: FakeGithub;
let h: Harness;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  fake = new FakeGithub().install();
  fake.commit(BASE, BASE_FILES);
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(fake.invalid).toEqual([]);
});

function firstPush(): void {
  fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/api.py": API_V1, "README.md": "# demo\nmore\n" });
  fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [added("myapp/cmd/api.py", API_V1), modified("README.md", "# demo\n", "# demo\nmore\n")] });
}

describe("first review", () => {
  test("a pull request with findings gets a check run with annotations and one review with inline comments", async () => {
    firstPush();
    const delivery = await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(delivery.status).toBe(200);
    expect(h.queue.submitted).toHaveLength(1);
    expect(h.queue.submitted[0]).toMatchObject({
      eventId: delivery.id,
      platform: "github",
      repository: "Codertocat/Hello-World",
      change: "1",
      revision: HEAD1,
      payload: { installationId: 77, owner: "Codertocat", repo: "Hello-World", pullNumber: 1, headSha: HEAD1, baseSha: BASE, draft: false },
    });
    // The handler made no API call: the review runs from the queue.
    expect(fake.requests).toEqual([]);

    expect(await h.runJobs()).toEqual([]);

    const [run] = fake.checkRuns;
    expect(fake.checkRuns).toHaveLength(1);
    expect(run).toMatchObject({ name: "eventlet-review", head_sha: HEAD1, external_id: "1", status: "completed", conclusion: "failure" });
    expect(run.output?.title).toBe("3 findings: 1 error, 2 warnings");
    expect(run.output?.summary).toContain("| EVL104 | monkey-patch-thread-disabled | error | 1 |");
    expect(run.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title])).toEqual([
      ["myapp/cmd/api.py", 2, "failure", "EVL104 monkey-patch-thread-disabled"],
      ["myapp/cmd/api.py", 4, "warning", "EVL301 eventlet-unfriendly-db-driver"],
      ["myapp/cmd/api.py", 6, "warning", "EVL301 eventlet-unfriendly-db-driver"],
    ]);

    expect(fake.reviews).toHaveLength(1);
    const [review] = fake.reviews;
    expect(review).toMatchObject({ pull: 1, event: "COMMENT", commit_id: HEAD1, state: "COMMENTED" });
    expect(review.comments.map((c) => [c.path, c.line])).toEqual([
      ["myapp/cmd/api.py", 2],
      ["myapp/cmd/api.py", 4],
      ["myapp/cmd/api.py", 6],
    ]);
    for (const c of review.comments) expect(c.body).toMatch(/<!-- eventlet-review:[0-9a-f]{16} -->$/);
    expect(review.comments[0].body).toContain("**EVL104 monkey-patch-thread-disabled** (error)");
    expect(review.comments[0].body).toContain("](https://specs.openstack.org/");
    // The mysql:// URL has a safe fix: a suggestion replaces exactly that line.
    expect(review.comments[2].body).toContain("```suggestion\nCONNECTION = 'mysql+pymysql://nova:secret@db/nova'\n```");
    expect(review.comments[1].body).not.toContain("```suggestion");

    // Few calls: config at the base (1 query), the head's file list (1 call), contents and parent
    // packages at the head (1 query); the analyzer's questions about files that do not exist cost nothing.
    expect(fake.calls("GET", `/repos/Codertocat/Hello-World/git/trees/${HEAD1}`)).toHaveLength(1);
    const blobs = fake.graphqlCalls("EventletReviewBlobs");
    expect(blobs).toHaveLength(2);
    expect(Object.values((blobs[0].body as { variables: Record<string, string> }).variables)).toContain(`${BASE}:.eventlet-review.yaml`);
    expect(Object.values((blobs[1].body as { variables: Record<string, string> }).variables)).toEqual(
      expect.arrayContaining([`${HEAD1}:myapp/cmd/api.py`, `${HEAD1}:myapp/__init__.py`, `${HEAD1}:myapp/cmd/__init__.py`]),
    );
    // Every API call used the installation token.
    for (const r of fake.apiRequests()) expect(r.authorization).toBe(`token ${INSTALLATION_TOKEN}`);
    expect(h.hooks.posted.map((f) => f.length)).toEqual([3]);
  });
});
