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

/**
 * Push 2 fixes the thread=False patch but leaves subprocess out of it, and adds a subprocess call:
 * one finding gone, one new (EVL201: the patch keeps stdlib subprocess native).
 */
const API_V2 = [
  "import eventlet",
  "eventlet.monkey_patch(subprocess=False)",
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
  test("the check-run summary says what the project runs on, from facts found at the head", async () => {
    const files = { ...BASE_FILES, "myapp/cmd/api.py": API_V1, "requirements.txt": "eventlet>=0.36.1\n" };
    fake.commit(HEAD1, files);
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [added("myapp/cmd/api.py", API_V1)] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns[0].output?.summary).toContain("Runs on eventlet: myapp/cmd/api (eventlet >= 0.36.1).");
  });

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
    // Two writes: the review, then the check run created completed with its output and annotations.
    expect(fake.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /repos/Codertocat/Hello-World/pulls/1/reviews",
      "POST /repos/Codertocat/Hello-World/check-runs",
    ]);

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

    // Few calls: one query for the head, the config at the base, the facts files and our threads; the
    // file list (1 call); the parent packages (1 query). The added file's content is its patch.
    const [snapshot] = fake.graphqlCalls("EventletReviewPull");
    expect(Object.values((snapshot.body as { variables: Record<string, string> }).variables)).toEqual(
      expect.arrayContaining([`${BASE}:.eventlet-review.yaml`, `${HEAD1}:requirements.txt`]),
    );
    const blobs = fake.graphqlCalls("EventletReviewBlobs");
    expect(blobs).toHaveLength(1);
    const fetched = Object.values((blobs[0].body as { variables: Record<string, string> }).variables);
    expect(fetched).toEqual(expect.arrayContaining([`${HEAD1}:myapp/__init__.py`, `${HEAD1}:myapp/cmd/__init__.py`]));
    expect(fetched).not.toContain(`${HEAD1}:myapp/cmd/api.py`);
    expect(fake.apiRequests()).toHaveLength(5);
    // Every API call used the installation token.
    for (const r of fake.apiRequests()) expect(r.authorization).toBe(`token ${INSTALLATION_TOKEN}`);
    expect(h.hooks.posted.map((f) => f.length)).toEqual([3]);
  });
});

async function reviewFirstPush(): Promise<void> {
  firstPush();
  expect((await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }))).status).toBe(200);
  expect(await h.runJobs()).toEqual([]);
  expect(fake.reviewComments(1)).toHaveLength(3);
}

function push(sha: string, files: Record<string, string>, pullFiles: FakeFile[]): void {
  fake.commit(sha, { ...BASE_FILES, ...files });
  const pull = fake.pulls.get(1)!;
  pull.headSha = sha;
  pull.files = pullFiles;
}

describe("after a push", () => {
  test("a push that fixes one finding and adds another: one new comment, the fixed thread resolved, the rest left alone", async () => {
    await reviewFirstPush();
    const [evl104Thread] = fake.threads;
    push(HEAD2, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    expect((await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }))).status).toBe(200);
    expect(await h.runJobs()).toEqual([]);

    expect(fake.reviews).toHaveLength(2);
    const second = fake.reviews[1];
    expect(second.commit_id).toBe(HEAD2);
    expect(second.comments.map((c) => [c.path, c.line, c.body.split("\n")[0]])).toEqual([
      ["myapp/cmd/api.py", 11, expect.stringContaining("**EVL201 green-unaware-subprocess**")],
    ]);
    expect(fake.threads.filter((t) => t.isResolved).map((t) => t.id)).toEqual([evl104Thread.id]);
    expect(evl104Thread.comments[0].body).toContain("EVL104");
    expect(fake.graphqlCalls("EventletResolveThread")).toHaveLength(1);

    const run = fake.checkRuns[1];
    expect(run).toMatchObject({ head_sha: HEAD2, conclusion: "neutral" });
    expect(run.output?.title).toBe("3 findings: 3 warnings");
    expect(run.output?.summary).toContain("1 new inline comment, 2 already commented, 1 thread resolved (finding gone).");
  });

  test("a token that may not resolve threads (viewerCanResolve false) spends no write on them; the check run says so once", async () => {
    await reviewFirstPush();
    fake.cannotResolve = true;
    push(HEAD2, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.graphqlCalls("EventletResolveThread")).toEqual([]);
    expect(fake.threads.filter((t) => t.isResolved)).toEqual([]);
    const summary = fake.checkRuns[1].output?.summary ?? "";
    expect(summary).toContain("1 thread whose finding is gone could not be resolved");
    expect(summary.match(/installation token or a personal access token/g)).toHaveLength(1);
  });

  test("a push with nothing new posts nothing; the check run still updates", async () => {
    await reviewFirstPush();
    push(HEAD3, { "myapp/cmd/api.py": API_V1, "README.md": "# demo\nmore\nand more\n" }, [
      added("myapp/cmd/api.py", API_V1),
      modified("README.md", "# demo\n", "# demo\nmore\nand more\n"),
    ]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD3, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews).toHaveLength(1);
    expect(fake.graphqlCalls("EventletResolveThread")).toHaveLength(0);
    expect(fake.checkRuns.map((r) => [r.head_sha, r.status, r.conclusion])).toEqual([
      [HEAD1, "completed", "failure"],
      [HEAD3, "completed", "failure"],
    ]);
    expect(fake.checkRuns[1].annotations).toHaveLength(3);
    expect(fake.checkRuns[1].output?.summary).toContain("3 already commented");
  });

  test("our threads are found among more than 100 others (threads are read page by page)", async () => {
    for (let i = 0; i < 150; i++) {
      fake.threads.push({ id: `PRRT_human${i}`, pull: 1, path: "README.md", line: 1, isResolved: false, comments: [{ body: `nit ${i}`, author: "octocat" }] });
    }
    await reviewFirstPush();
    push(HEAD2, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    // The first page comes with the pull request snapshot; the second is asked for.
    expect(fake.graphqlCalls("EventletReviewThreads").map((r) => (r.body as { variables: { cursor: string | null } }).variables.cursor)).toEqual(["100", "100"]);
    expect(fake.reviews[1].comments).toHaveLength(1);
    expect(fake.threads.filter((t) => t.isResolved).map((t) => t.comments[0].author)).toEqual(["eventlet-review-test[bot]"]);
  });

  test("a thread whose marker someone else wrote is not ours: it silences nothing and is never resolved by us", async () => {
    await reviewFirstPush();
    // Mallory's comments carry our markers (pasted from ours): GitHub says we did not write them.
    for (const t of fake.threads) t.comments[0].author = "mallory";
    push(HEAD3, { "myapp/cmd/api.py": API_V1, "README.md": "# demo\nmore\nand more\n" }, [
      added("myapp/cmd/api.py", API_V1),
      modified("README.md", "# demo\n", "# demo\nmore\nand more\n"),
    ]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD3, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews).toHaveLength(2);
    expect(fake.reviews[1].comments).toHaveLength(3);
    expect(fake.checkRuns[1].output?.summary).not.toContain("already commented");
    // A push that fixes everything resolves only threads we wrote.
    push(HEAD2, { "myapp/cmd/api.py": "import eventlet\neventlet.monkey_patch()\n" }, [added("myapp/cmd/api.py", "import eventlet\neventlet.monkey_patch()\n")]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.threads.filter((t) => t.isResolved).map((t) => t.comments[0].author)).toEqual(Array(3).fill("eventlet-review-test[bot]"));
  });

  test("a thread a person resolved is not reopened; one we resolved comes back when the finding does", async () => {
    await reviewFirstPush();
    const [evl104, evl301] = fake.threads;
    evl301.isResolved = true;
    evl301.resolvedBy = "octocat"; // dismissed by a person
    push(HEAD2, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(evl104.isResolved).toBe(true);
    // Back to the first version: EVL104 returns, its thread was resolved by us, so it is posted again.
    push(HEAD3, { "myapp/cmd/api.py": API_V1 }, [added("myapp/cmd/api.py", API_V1)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD3, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews[2].comments.map((c) => c.body.split("\n")[0])).toEqual([expect.stringContaining("EVL104")]);
  });
});

describe("stale jobs", () => {
  test("a job whose head a newer push overtook is skipped; the newer push's job reviews", async () => {
    firstPush();
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    push(HEAD2, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    const [older, newer] = h.queue.submitted;
    expect(await h.adapter.review(JSON.parse(JSON.stringify(older)))).toEqual({ status: "skipped", reason: "superseded by a2a2000" });
    expect(fake.checkRuns).toEqual([]);
    expect(await h.adapter.review(JSON.parse(JSON.stringify(newer)))).toMatchObject({ status: "published", findings: 3 });
    expect(fake.checkRuns.map((r) => r.head_sha)).toEqual([HEAD2]);
  });

  test("a job that a newer push supersedes while it runs writes nothing at all", async () => {
    firstPush();
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    const job = JSON.parse(JSON.stringify(h.queue.submitted[0]));
    let asked = 0;
    const control = { superseded: async () => ++asked > 0 }; // the queue has a newer job by the time it asks
    expect(await h.adapter.review(job, control)).toEqual({ status: "skipped", reason: "superseded" });
    expect(asked).toBe(1);
    expect(fake.writes()).toEqual([]);
  });

  test("a closed pull request is not reviewed; a draft converted after the event waits", async () => {
    firstPush();
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    const job = JSON.parse(JSON.stringify(h.queue.submitted[0]));
    fake.pulls.get(1)!.draft = true;
    expect(await h.adapter.review(job)).toEqual({ status: "skipped", reason: "draft" });
    fake.pulls.get(1)!.state = "closed";
    expect(await h.adapter.review(job)).toEqual({ status: "skipped", reason: "closed" });
    expect(fake.checkRuns).toEqual([]);
  });
});

describe("idempotency", () => {
  test("a redelivered webhook (same X-GitHub-Delivery) queues nothing new, and a job that runs twice posts nothing twice", async () => {
    firstPush();
    const payload = pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE });
    const first = await h.deliver("pull_request", payload);
    const again = await h.deliver("pull_request", payload, { id: first.id });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(h.queue.submitted).toHaveLength(1);

    const job = h.queue.submitted[0];
    expect(await h.runJobs()).toEqual([]);
    await h.adapter.runJob(job); // e.g. the queue lost its memory in a restart
    expect(fake.reviews).toHaveLength(1);
    expect(fake.reviewComments(1)).toHaveLength(3);
    expect(fake.checkRuns).toHaveLength(2);
  });
});

describe("recheck", () => {
  test("`/eventlet-review recheck` from the author: an eyes reaction, then a new run for the same revision", async () => {
    await reviewFirstPush();
    const comment = issueCommentEvent({ number: 1, body: "Thanks!\n/eventlet-review recheck", login: "octocat", association: "NONE", commentId: 901 });
    const delivery = await h.deliver("issue_comment", comment);
    expect(delivery.status).toBe(200);
    expect(fake.reactions).toEqual([{ commentId: 901, content: "eyes" }]);
    expect(fake.calls("GET", "/app")).toHaveLength(0); // the slash command needs no slug
    const job = h.queue.submitted[1];
    expect(job).toMatchObject({ eventId: delivery.id, revision: HEAD1, recheck: true, payload: { trigger: "issue_comment.recheck" } });
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toHaveLength(2);
    expect(fake.reviews).toHaveLength(1);
  });

  test("`@<app-slug> recheck` from a maintainer works; the slug comes from GET /app once; rechecks run once a minute per pull request", async () => {
    firstPush();
    fake.roles.set("maintainer", "maintain");
    for (const id of [1, 2]) {
      const comment = issueCommentEvent({ number: 1, body: "@eventlet-review-test recheck", login: "maintainer", association: "MEMBER", commentId: id });
      expect((await h.deliver("issue_comment", comment)).status).toBe(200);
    }
    expect(fake.reactions.map((r) => r.commentId)).toEqual([1]);
    expect(fake.calls("GET", "/app")).toHaveLength(1);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/collaborators/maintainer/permission")).toHaveLength(1); // cached
    expect(h.queue.submitted).toHaveLength(1); // the second one came within the minute
  });

  test("a private organisation member with write access can recheck, whatever author_association says", async () => {
    firstPush();
    fake.roles.set("hidden-maintainer", "write");
    await h.deliver("issue_comment", issueCommentEvent({ number: 1, body: "/eventlet-review recheck", login: "hidden-maintainer", association: "CONTRIBUTOR" }));
    expect(h.queue.submitted.map((j) => j.payload.trigger)).toEqual(["issue_comment.recheck"]);
    expect(fake.issueComments).toEqual([]);
  });

  test("a read-only user gets a reply saying why, and no run; bots and quotes are ignored", async () => {
    firstPush();
    fake.roles.set("reader", "read");
    const comments = [
      issueCommentEvent({ number: 1, body: "/eventlet-review recheck", login: "reader", association: "MEMBER" }),
      issueCommentEvent({ number: 1, body: "/eventlet-review recheck", login: "reader", association: "MEMBER" }), // no second reply
      issueCommentEvent({ number: 1, body: "/eventlet-review recheck", login: "ci[bot]", association: "NONE", type: "Bot" }),
      issueCommentEvent({ number: 1, body: "> /eventlet-review recheck\nwhy?", login: "octocat", association: "OWNER" }),
    ];
    for (const c of comments) expect((await h.deliver("issue_comment", c)).status).toBe(200);
    expect(fake.reactions).toEqual([]);
    expect(h.queue.submitted).toEqual([]);
    expect(fake.issueComments).toEqual([
      {
        issue: 1,
        body: "eventlet-review: only the pull request's author and people with the write, maintain, admin role on this repository may ask for a recheck; @reader has the read role.",
      },
    ]);
  });

  test("the base config decides who may recheck", async () => {
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "github:\n  recheck_allowed: [triage]\n" });
    firstPush();
    fake.roles.set("triager", "triage");
    await h.deliver("issue_comment", issueCommentEvent({ number: 1, body: "/eventlet-review recheck", login: "triager", association: "CONTRIBUTOR" }));
    await h.deliver("issue_comment", issueCommentEvent({ number: 2, body: "/eventlet-review recheck", login: "octocat", association: "NONE" }));
    expect(h.queue.submitted.map((j) => j.payload.trigger)).toEqual(["issue_comment.recheck"]);
    expect(fake.reactions).toHaveLength(1);
  });
});

describe("what a pull request contains", () => {
  test("a pull request with no Python files: a successful check run, no review, no content fetched", async () => {
    fake.commit(HEAD1, { ...BASE_FILES, "README.md": "# demo\nmore\n", "logo.png": Buffer.from([137, 80, 78, 71, 0, 1]) });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [modified("README.md", "# demo\n", "# demo\nmore\n"), { filename: "logo.png", status: "added" }] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toEqual([expect.objectContaining({ conclusion: "success", annotations: [] })]);
    expect(fake.checkRuns[0].output).toMatchObject({ title: "No findings", summary: expect.stringContaining("touches no Python files") });
    expect(fake.reviews).toEqual([]);
    expect(fake.graphqlCalls("EventletReviewBlobs")).toHaveLength(0); // the config came with the snapshot
    expect(fake.calls("GET", /\/contents\//)).toEqual([]);
    // A clean pull request costs one write: the check run, created completed.
    expect(fake.writes().map((r) => `${r.method} ${r.path}`)).toEqual(["POST /repos/Codertocat/Hello-World/check-runs"]);
  });

  test("a pull request of 250 files: every page of the file list is read", async () => {
    const files: Record<string, string> = {};
    const pullFiles: FakeFile[] = [];
    for (let i = 0; i < 249; i++) {
      files[`docs/page${i}.txt`] = `page ${i}\n`;
      pullFiles.push(added(`docs/page${i}.txt`, `page ${i}\n`));
    }
    files["zz/last.py"] = "import MySQLdb\n";
    pullFiles.push(added("zz/last.py", "import MySQLdb\n"));
    fake.commit(HEAD1, { ...BASE_FILES, ...files });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: pullFiles });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    const pages = fake.calls("GET", "/repos/Codertocat/Hello-World/pulls/1/files");
    expect(pages.map((r) => [r.query.per_page, r.query.page ?? "1"])).toEqual([
      ["100", "1"],
      ["100", "2"],
      ["100", "3"],
    ]);
    expect(fake.reviewComments(1).map((c) => [c.path, c.line])).toEqual([["zz/last.py", 1]]);
  });

  test("a fork pull request is read from the base repository by SHA, and a re-run of its check suite finds it by head SHA", async () => {
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/api.py": API_V1 });
    fake.addPull({ number: 7, headSha: HEAD1, baseSha: BASE, headRepo: "forker/Hello-World", author: "forker", files: [added("myapp/cmd/api.py", API_V1)] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 7, headSha: HEAD1, baseSha: BASE, fork: "forker/Hello-World", author: "forker" }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(7)).toHaveLength(3);
    for (const r of fake.apiRequests()) expect(r.path).toMatch(/^\/(repos\/Codertocat\/Hello-World\/|graphql$)/);

    // GitHub leaves `pull_requests` empty for fork suites: the app finds the PR among the open ones.
    const suite = await h.deliver("check_suite", rerequestEvent("check_suite", { headSha: HEAD1 }));
    expect(suite.status).toBe(200);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls")).toHaveLength(1);
    // Our check run carries the PR number, so re-running it needs no search.
    const run = await h.deliver("check_run", rerequestEvent("check_run", { headSha: HEAD1, externalId: "7" }));
    expect(run.status).toBe(200);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls")).toHaveLength(1);
    // Someone else's check run is not ours to re-run.
    await h.deliver("check_run", rerequestEvent("check_run", { headSha: HEAD1, name: "other-linter", pulls: [7] }));
    expect(h.queue.submitted.map((j) => [j.change, j.recheck ?? false, j.payload.trigger])).toEqual([
      ["7", false, "pull_request.opened"],
      ["7", true, "check_suite.rerequested"],
      ["7", true, "check_run.rerequested"],
    ]);
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toHaveLength(3);
    expect(fake.reviews).toHaveLength(1);
  });

  test("renamed and deleted files: comments on the new path, nothing for a pure rename or a deleted file", async () => {
    const oldText = "import eventlet\n\n\ndef main():\n    pass\n";
    const newText = "import eventlet\nimport MySQLdb\n\n\ndef main():\n    pass\n";
    const untouched = "import MySQLdb\n";
    // gone.py's line differs from the one new_name.py adds: the same text deleted here and added there
    // would be a move (src/review/moved.ts), and this test is about paths.
    fake.commit(BASE, { ...BASE_FILES, "myapp/old_name.py": oldText, "myapp/moved.py": untouched, "myapp/gone.py": "import MySQLdb as legacy_db\n" });
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/new_name.py": newText, "myapp/cmd/moved.py": untouched });
    fake.addPull({
      number: 1,
      headSha: HEAD1,
      baseSha: BASE,
      files: [
        { filename: "myapp/new_name.py", previous_filename: "myapp/old_name.py", status: "renamed", patch: unifiedPatch(oldText, newText) },
        { filename: "myapp/cmd/moved.py", previous_filename: "myapp/moved.py", status: "renamed" },
        { filename: "myapp/gone.py", status: "removed", patch: unifiedPatch("import MySQLdb as legacy_db\n", "") },
      ],
    });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1).map((c) => [c.path, c.line])).toEqual([["myapp/new_name.py", 2]]);
    const fetched = fake.graphqlCalls("EventletReviewBlobs").flatMap((r) => Object.values((r.body as { variables: Record<string, string> }).variables));
    expect(fetched).not.toContain(`${HEAD1}:myapp/gone.py`);
    expect(fake.checkRuns[0].annotations).toHaveLength(1);
  });

  test("a file GitHub sends without a patch: the added lines come from both sides' contents", async () => {
    const before = ["import eventlet", "eventlet.monkey_patch()", "", "import MySQLdb", ""].join("\n");
    const after = ["import eventlet", "eventlet.monkey_patch()", "", "import MySQLdb", "import _mysql", ""].join("\n");
    fake.commit(BASE, { ...BASE_FILES, "myapp/cmd/big.py": before });
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/big.py": after });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [{ filename: "myapp/cmd/big.py", status: "modified", changes: 1, additions: 1, commentable: [5] }] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    // `import MySQLdb` was already there: only the added `import _mysql` is this change's.
    expect(fake.reviewComments(1).map((c) => [c.path, c.line])).toEqual([["myapp/cmd/big.py", 5]]);
  });

  test("the fallback diffs against the merge base: lines the base branch changed since are not the pull request's", async () => {
    const MERGE_BASE = "3e7b000000000000000000000000000000000001";
    const branchedFrom = ["import eventlet", "eventlet.monkey_patch()", "", "import MySQLdb", ""].join("\n");
    // Since then the base branch moved off MySQLdb; the pull request, not rebased, still has it and adds a line.
    const baseNow = ["import eventlet", "eventlet.monkey_patch()", "", "import pymysql", ""].join("\n");
    const head = ["import eventlet", "eventlet.monkey_patch()", "", "import MySQLdb", "import _mysql", ""].join("\n");
    fake.commit(MERGE_BASE, { ...BASE_FILES, "myapp/cmd/big.py": branchedFrom });
    fake.commit(BASE, { ...BASE_FILES, "myapp/cmd/big.py": baseNow });
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/big.py": head });
    fake.mergeBases.set(`${BASE}...${HEAD1}`, MERGE_BASE);
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [{ filename: "myapp/cmd/big.py", status: "modified", changes: 1, additions: 1, commentable: [4, 5] }] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("GET", `/repos/Codertocat/Hello-World/compare/${BASE}...${HEAD1}`)).toHaveLength(1);
    // Against base.sha, `import MySQLdb` (line 4) would count as added; against the merge base only line 5 is.
    expect(fake.reviewComments(1).map((c) => [c.path, c.line])).toEqual([["myapp/cmd/big.py", 5]]);
  });

  test("a pull request of more than 3,000 files: GitHub's list stops there and the check run says so", async () => {
    const pullFiles: FakeFile[] = [{ filename: "a/first.py", status: "added", patch: unifiedPatch("", "import MySQLdb\n") }];
    for (let i = 0; i < 3000; i++) pullFiles.push({ filename: `data/f${i}.txt`, status: "added", patch: "@@ -0,0 +1 @@\n+x" });
    fake.commit(HEAD1, { ...BASE_FILES, "a/first.py": "import MySQLdb\n" });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: pullFiles });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls/1/files")).toHaveLength(30);
    expect(fake.reviewComments(1).map((c) => c.path)).toEqual(["a/first.py"]);
    expect(fake.checkRuns[0].output?.text).toContain("GitHub lists only the first 3000 files of a pull request");
  });

  test("a file that is not UTF-8 is fetched raw, byte for byte", async () => {
    const latin1 = Buffer.from("# -*- coding: latin-1 -*-\n# caf\xe9\nimport MySQLdb\n", "latin1");
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/legacy db.py": latin1 });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [{ filename: "myapp/legacy db.py", status: "added", patch: "@@ -0,0 +1,3 @@\n+# -*- coding: latin-1 -*-\n+# caf\ufffd\n+import MySQLdb" }] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("GET", /\/contents\//).map((r) => [r.path, r.query.ref])).toEqual([["/repos/Codertocat/Hello-World/contents/myapp/legacy db.py", HEAD1]]);
    expect(fake.reviewComments(1).map((c) => [c.path, c.line])).toEqual([["myapp/legacy db.py", 3]]);
  });

  test("size first: a file over max_file_bytes is never downloaded, and the check run says why", async () => {
    const big = `import MySQLdb\n${"x = 1\n".repeat(100_000)}`; // 600 KB: GitHub's GraphQL cuts its text
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "max_file_bytes: 100000\n", "myapp/big.py": "x = 0\n" });
    fake.commit(HEAD1, { ...BASE_FILES, ".eventlet-review.yaml": "max_file_bytes: 100000\n", "myapp/big.py": big });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [{ filename: "myapp/big.py", status: "modified", patch: "@@ -1 +1,2 @@\n+import MySQLdb\n x = 0", commentable: [1] }] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("GET", /\/contents\//)).toEqual([]);
    expect(fake.checkRuns[0].output?.text).toContain(`myapp/big.py\`: skipped: ${big.length} bytes is over the 100000-byte limit (max_file_bytes)`);

    // Within the limit, the cut text is not enough: the file is read raw, once.
    const other = new FakeGithub().install();
    other.commit(BASE, { ...BASE_FILES, "myapp/big.py": "x = 0\n" });
    other.commit(HEAD2, { ...BASE_FILES, "myapp/big.py": big });
    other.addPull({ number: 2, headSha: HEAD2, baseSha: BASE, files: [{ filename: "myapp/big.py", status: "modified", patch: "@@ -1 +1,2 @@\n+import MySQLdb\n x = 0", commentable: [1] }] });
    nock.cleanAll();
    other.install();
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 2, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(other.calls("GET", /\/contents\//)).toHaveLength(1);
    expect(other.reviewComments(2).map((c) => c.line)).toEqual([1]);
    expect(other.invalid).toEqual([]);
  });

  test("a change that only adds code above an untouched patch call gets the comment on the added line", async () => {
    const before = "import eventlet\neventlet.monkey_patch()\n";
    const after = "import logging\nimport eventlet\neventlet.monkey_patch()\n";
    fake.commit(BASE, { ...BASE_FILES, "myapp/cmd/api.py": before });
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/api.py": after });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [modified("myapp/cmd/api.py", before, after)] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1).map((c) => [c.line, c.body.split("\n")[0]])).toEqual([[1, expect.stringContaining("EVL101")]]);
    expect(fake.checkRuns[0].annotations.map((a) => a.start_line)).toEqual([3]);
  });

  test("more findings than the cap: 30 inline comments, the rest in the check run, every annotation in batches of 50", async () => {
    const text = Array.from({ length: 60 }, (_, i) => `URL${i} = 'mysql://u@db/n${i}'`).join("\n") + "\n";
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/settings.py": text });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [added("myapp/settings.py", text)] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(30);
    const [run] = fake.checkRuns;
    expect(run.annotations).toHaveLength(60);
    expect(run.updates).toBe(1); // created completed with 50 annotations, one PATCH with the other 10
    expect(run.output?.text?.match(/over the limit of 30 open inline comments/g)).toHaveLength(30);
    expect(run.output?.text).toContain("`myapp/settings.py:60`");

    // The same findings again: the cap is full of our open threads, so nothing new is posted.
    fake.commit(HEAD2, { ...BASE_FILES, "myapp/settings.py": text });
    Object.assign(fake.pulls.get(1)!, { headSha: HEAD2 });
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews).toHaveLength(1);
    expect(fake.checkRuns[1].output?.text?.match(/over the limit of 30 open inline comments/g)).toHaveLength(30);

    // Ten fixed: their threads are resolved and ten of the waiting findings take their place.
    const fixed = text.split("\n").map((line, i) => (i < 10 ? `URL${i} = 'mysql+pymysql://u@db/n${i}'` : line)).join("\n");
    fake.commit(HEAD3, { ...BASE_FILES, "myapp/settings.py": fixed });
    Object.assign(fake.pulls.get(1)!, { headSha: HEAD3, files: [added("myapp/settings.py", fixed)] });
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD3, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.threads.filter((t) => t.isResolved)).toHaveLength(10);
    expect(fake.reviews[1].comments.map((c) => c.line)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
  });
});

describe("drafts", () => {
  test("a draft waits; ready_for_review reviews it", async () => {
    firstPush();
    fake.pulls.get(1)!.draft = true;
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE, draft: true }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toEqual([]);
    expect(fake.reviews).toEqual([]);
    fake.pulls.get(1)!.draft = false;
    await h.deliver("pull_request", pullRequestEvent("ready_for_review", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(3);
  });

  test("`github.review_drafts: true` in the base config reviews drafts; `request_changes` asks for changes", async () => {
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "github:\n  review_drafts: true\n  request_changes: true\n" });
    firstPush();
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE, draft: true }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews.map((r) => r.event)).toEqual(["REQUEST_CHANGES"]);
  });

  test("with `request_changes`, our blocking review is dismissed once nothing fails any more", async () => {
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "github:\n  request_changes: true\n" });
    await reviewFirstPush();
    expect(fake.reviews[0].state).toBe("CHANGES_REQUESTED");
    // Still an error (EVL104 stays): no new review, nothing dismissed.
    push(HEAD2, { "myapp/cmd/api.py": API_V1 + "\n" }, [added("myapp/cmd/api.py", API_V1 + "\n")]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD2, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("PUT", /dismissals$/)).toEqual([]);
    // EVL104 fixed, warnings left: the request for changes is dismissed, the new EVL201 is a COMMENT.
    push(HEAD3, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD3, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews.map((r) => [r.state, r.event])).toEqual([
      ["DISMISSED", "REQUEST_CHANGES"],
      ["COMMENTED", "COMMENT"],
    ]);
    expect(fake.reviews[0].dismissal).toContain("no finding at or above `error` any more");
    expect(fake.checkRuns[2].output?.summary).toContain("our request for changes dismissed.");
  });

  test("with `request_changes`, a person's request for changes that carries our marker is never dismissed", async () => {
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "github:\n  request_changes: true\n" });
    await reviewFirstPush();
    fake.reviews.push({ id: 9999, node_id: "PRR_mallory", pull: 1, state: "CHANGES_REQUESTED", event: "REQUEST_CHANGES", body: "no.\n\n<!-- eventlet-review:review -->", author: "mallory", comments: [] });
    push(HEAD3, { "myapp/cmd/api.py": API_V2 }, [added("myapp/cmd/api.py", API_V2)]);
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD3, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("PUT", /dismissals$/).map((r) => r.path)).toEqual([`/repos/Codertocat/Hello-World/pulls/1/reviews/${fake.reviews[0].id}/dismissals`]);
    expect(fake.reviews.find((r) => r.id === 9999)?.state).toBe("CHANGES_REQUESTED");
  });

  test("the config is read at the base: a pull request cannot silence the review by editing it", async () => {
    fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/api.py": API_V1, ".eventlet-review.yaml": "rules:\n  EVL104: off\n  EVL301: off\n" });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [added("myapp/cmd/api.py", API_V1), added(".eventlet-review.yaml", "rules:\n  EVL104: off\n  EVL301: off\n")] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(3);
  });

  test("the config comes from tox.ini's [eventlet-review] as in the CLI, in the same query, when no file of ours holds it", async () => {
    // pyproject.toml without our table is no source; tox.ini's section is.
    const base = { ...BASE_FILES, "pyproject.toml": '[project]\nname = "myapp"\n', "tox.ini": "[tox]\nenvlist = pep8\n\n[eventlet-review]\nrules =\n  EVL104: off\n" };
    fake.commit(BASE, base);
    fake.commit(HEAD1, { ...base, "myapp/cmd/api.py": API_V1 });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [added("myapp/cmd/api.py", API_V1)] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    const before = fake.apiRequests().length;
    expect(await h.runJobs()).toEqual([]);
    // EVL104 is off: the two EVL301 comments are left of three.
    expect(fake.reviewComments(1).map((c) => c.body.match(/EVL\d+/)?.[0])).toEqual(["EVL301", "EVL301"]);
    // No request of its own for the config: the pull request's snapshot query asked for every candidate.
    const graphql = fake.apiRequests().slice(before).filter((r) => r.path === "/graphql");
    expect(graphql.filter((r) => JSON.stringify(r.body).includes(`${BASE}:tox.ini`))).toHaveLength(1);
    expect(fake.apiRequests().slice(before).some((r) => /contents\/(tox\.ini|pyproject\.toml|setup\.cfg)/.test(r.path))).toBe(false);
  });

  test("an invalid tox.ini section fails the check run, naming the file and section", async () => {
    const base = { ...BASE_FILES, "tox.ini": "[eventlet-review]\nfail_on = error\n" };
    fake.commit(BASE, base);
    fake.commit(HEAD1, { ...base, "myapp/cmd/api.py": API_V1 });
    fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [added("myapp/cmd/api.py", API_V1)] });
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toEqual([
      expect.objectContaining({ conclusion: "failure", output: expect.objectContaining({ title: "Invalid eventlet-review configuration", summary: expect.stringContaining('tox.ini \\[eventlet-review\\]: unknown key "fail_on"') }) }),
    ]);
  });
});
