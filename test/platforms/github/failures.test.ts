/**
 * What goes wrong: forged webhooks, GitHub errors (retried, transient, refused comments), a broken
 * config, one bad event among good ones; and GitHub Enterprise Server through GHE_HOST.
 */
import nock from "nock";
import { RateLimitedError, TransientError } from "../../../src/platforms/adapter.js";
import { MemoryWriteBudget } from "../../../src/platforms/github/budget.js";
import { FakeGithub, INSTALLATION_ID, unifiedPatch } from "./fake-github.js";
import { issueCommentEvent, pullRequestEvent, startHarness, type Harness } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";
const API = "import eventlet\neventlet.monkey_patch(thread=False)\n\nimport MySQLdb\n";
const BASE_FILES = { "myapp/__init__.py": "", "myapp/cmd/__init__.py": "" };

let fake: FakeGithub;
let h: Harness | undefined;

function setup(gh: FakeGithub): FakeGithub {
  gh.commit(BASE, BASE_FILES);
  gh.commit(HEAD, { ...BASE_FILES, "myapp/cmd/api.py": API });
  gh.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files: [{ filename: "myapp/cmd/api.py", status: "added", patch: unifiedPatch("", API) }] });
  return gh;
}

const opened = () => pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE });

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  fake = setup(new FakeGithub().install());
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  nock.cleanAll();
  nock.enableNetConnect();
  expect(fake.invalid).toEqual([]);
});

describe("webhook security (real HTTP server)", () => {
  test("a webhook signed with another secret is refused and does nothing", async () => {
    h = await startHarness();
    const response = await h.deliver("pull_request", opened(), { secret: "not the secret" });
    expect(response.status).toBe(400);
    expect(response.body).toContain("signature does not match");
    expect(h.queue.submitted).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect(h.hooks.events).toEqual([]);
  });

  test("an unsigned webhook is refused; other paths are left to the service", async () => {
    h = await startHarness();
    const unsigned = await fetch(`${h.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d-1" },
      body: JSON.stringify(opened()),
    });
    expect(unsigned.status).toBe(400);
    expect((await fetch(`${h.url}/elsewhere`)).status).toBe(404);
    expect(h.queue.submitted).toEqual([]);
  });

  test("WEBHOOK_PATH moves the endpoint", async () => {
    h = await startHarness({ env: { WEBHOOK_PATH: "/hooks/github" } });
    const body = JSON.stringify(opened());
    const { createHmac } = await import("node:crypto");
    const signature = `sha256=${createHmac("sha256", "It's a Secret to Everybody").update(body).digest("hex")}`;
    const response = await fetch(`${h.url}/hooks/github`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d-2", "x-hub-signature-256": signature },
      body,
    });
    expect(response.status).toBe(200);
    expect(h.queue.submitted).toHaveLength(1);
  });
});

describe("GitHub API failures", () => {
  test("a server error before any write fails the job as transient and writes nothing; the retried job publishes", async () => {
    h = await startHarness();
    fake.fail("GET", /\/pulls\/1\/files$/, 502);
    await h.deliver("pull_request", opened());
    const job = h.queue.submitted[0];
    const errors = await h.runJobs();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TransientError);
    expect(fake.checkRuns).toEqual([]); // no check run left spinning: none was created
    expect(h.hooks.apiErrors).toContain("http:502");

    await h.adapter.runJob(job); // the queue's retry
    expect(fake.checkRuns).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure", updates: 0 })]);
    expect(fake.reviewComments(1)).toHaveLength(2);
  });

  test("one retry layer, the queue's: a failed request is not resent inside the job, and the attempt ends at once naming its cause", async () => {
    h = await startHarness();
    nock.cleanAll();
    nock("https://api.github.com").get(/\/pulls\/1\/files/).replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 140.82.121.6:443" });
    fake.install();
    await h.deliver("pull_request", opened());
    const job = h.queue.submitted[0];
    const [refused] = await h.runJobs();
    expect(refused).toBeInstanceOf(TransientError);
    expect((refused as Error).message).toMatch(/^reviewing the pull request: network:ECONNREFUSED: .*ECONNREFUSED 140\.82\.121\.6:443/);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls/1/files")).toEqual([]); // asked once, refused, not asked again

    // A write GitHub answers 502 is not resent either: the queue's next attempt runs the job again.
    fake.fail("POST", /\/check-runs$/, 502);
    await expect(h.adapter.runJob(job)).rejects.toThrow(/http:502/);
    expect(fake.calls("POST", "/repos/Codertocat/Hello-World/check-runs")).toHaveLength(1);
    await h.adapter.runJob(job);
    // The first attempt's review is not posted twice: the third finds its threads.
    expect(fake.reviews).toHaveLength(1);
    expect(fake.checkRuns).toHaveLength(1);
  });

  test("a secondary rate limit ends the job as RateLimitedError with retry-after's wait, and holds the installation's writes", async () => {
    const budget = new MemoryWriteBudget();
    h = await startHarness({ budget });
    const limited = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };
    fake.fail("POST", /\/pulls\/1\/reviews$/, 403, 1, limited, { "retry-after": "30" });
    await h.deliver("pull_request", opened());
    const errors = await h.runJobs();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RateLimitedError);
    expect((errors[0] as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(fake.calls("POST", "/repos/Codertocat/Hello-World/pulls/1/reviews")).toHaveLength(1); // not retried in place
    expect(fake.checkRuns).toEqual([]); // nothing else written meanwhile
    const wait = await budget.take(INSTALLATION_ID, 1);
    expect(wait.ok).toBe(false);
    expect(wait.ok ? 0 : wait.waitMs).toBeGreaterThan(25_000);
  });

  test("a spent primary limit (x-ratelimit-remaining: 0) delays the job until x-ratelimit-reset", async () => {
    h = await startHarness();
    const reset = Math.floor(Date.now() / 1000) + 120;
    fake.fail("GET", /\/pulls\/1\/files$/, 403, 1, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) });
    await h.deliver("pull_request", opened());
    const errors = await h.runJobs();
    expect(errors[0]).toBeInstanceOf(RateLimitedError);
    expect((errors[0] as RateLimitedError).retryAfterMs).toBeGreaterThan(110_000);
    expect((errors[0] as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  test("a short write budget delays the job before its first write: nothing half-published", async () => {
    const budget = new MemoryWriteBudget({ perMinute: 80, perHour: 500, marginMs: 0 });
    expect(await budget.take(INSTALLATION_ID, 79)).toEqual({ ok: true }); // another instance's writes
    h = await startHarness({ budget });
    await h.deliver("pull_request", opened());
    const errors = await h.runJobs();
    expect(errors[0]).toBeInstanceOf(RateLimitedError);
    expect((errors[0] as RateLimitedError).retryAfterMs).toBeGreaterThan(55_000);
    expect(fake.apiRequests().filter((r) => r.method !== "GET" && r.operation === undefined)).toEqual([]);
    expect(fake.checkRuns).toEqual([]);
    expect(fake.reviews).toEqual([]);
  });

  test("a 404 (no access) is not transient: the job fails for good and the check run is completed", async () => {
    h = await startHarness();
    fake.fail("POST", /\/graphql#EventletReviewBlobs$/, 404, 1, { message: "Not Found" });
    await h.deliver("pull_request", opened());
    const errors = await h.runJobs();
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toBeInstanceOf(TransientError);
    expect(fake.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
  });

  test("a comment GitHub refuses as outside the diff moves to the check run; the others are posted in one review", async () => {
    h = await startHarness();
    fake.pulls.get(1)!.files[0].commentable = [1, 2, 3]; // line 4 (import MySQLdb) is not commentable
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("POST", "/repos/Codertocat/Hello-World/pulls/1/reviews")).toHaveLength(2); // refused, then pending
    expect(fake.reviews).toHaveLength(1);
    expect(fake.reviews[0]).toMatchObject({ state: "COMMENTED", event: "COMMENT" });
    expect(fake.reviews[0].comments.map((c) => c.line)).toEqual([2]);
    expect(fake.checkRuns[0].output?.text).toContain("`myapp/cmd/api.py:4` **EVL301**");
    expect(fake.checkRuns[0].output?.text).toContain("GitHub refused the comment");
    expect(fake.checkRuns[0].annotations).toHaveLength(2);
  });

  test("when every comment is refused the pending review is deleted and all findings stay in the check run", async () => {
    h = await startHarness();
    fake.pulls.get(1)!.files[0].commentable = [];
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews).toEqual([]);
    expect(fake.calls("DELETE", /\/pulls\/1\/reviews\/\d+$/)).toHaveLength(1);
    expect(fake.checkRuns[0].output?.text?.match(/GitHub refused the comment/g)).toHaveLength(2);
  });

  test("a broken config at the base fails the check run with a message naming the key, and posts no review", async () => {
    h = await startHarness();
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "fail_levle: warning\n" });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toEqual([expect.objectContaining({ conclusion: "failure", output: expect.objectContaining({ title: "Invalid eventlet-review configuration" }) })]);
    expect(fake.checkRuns[0].output?.summary).toContain('unknown key "fail_levle"');
    expect(fake.reviews).toEqual([]);
  });

  test("one bad event does not stop the app: the next one is handled", async () => {
    h = await startHarness();
    const bad = await h.deliver("issue_comment", issueCommentEvent({ number: 99, body: "/eventlet-review recheck", login: "octocat", association: "OWNER" }));
    expect(bad.status).toBeGreaterThanOrEqual(400); // pull request 99 does not exist
    const good = await h.deliver("pull_request", opened());
    expect(good.status).toBe(200);
    expect(h.queue.submitted).toHaveLength(1);
    const broken = { ...h.queue.submitted[0], payload: { owner: "Codertocat" } };
    await expect(h.adapter.runJob(broken)).rejects.toThrow(`GitHub job ${broken.eventId} has an invalid payload: installationId Invalid input: expected number, received undefined`);
    // Read back from a shared Redis, a payload is checked, not trusted: names, SHAs, and the job's own change.
    const good0 = h.queue.submitted[0];
    const poisoned = [
      { ...good0, payload: { ...good0.payload, owner: "../../admin" } },
      { ...good0, payload: { ...good0.payload, headSha: "HEAD~3" } },
      { ...good0, payload: { ...good0.payload, installationId: -1 } },
      { ...good0, repository: "other/repo" },
    ];
    for (const p of poisoned) await expect(h.adapter.runJob(p)).rejects.toThrow(/has an invalid payload: (owner is not a GitHub owner name|headSha is not a commit SHA|installationId Too small|it names Codertocat\/Hello-World#1, the job other\/repo#1)/);
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(2);
  });

  test("installation token failures are transient when GitHub is down", async () => {
    h = await startHarness();
    fake.fail("POST", new RegExp(`/app/installations/${INSTALLATION_ID}/access_tokens$`), 503);
    await h.deliver("pull_request", opened());
    const errors = await h.runJobs();
    expect(errors[0]).toBeInstanceOf(TransientError);
    expect(fake.checkRuns).toEqual([]);
  });
});

describe("GitHub Enterprise Server", () => {
  test("GHE_HOST and GHE_PROTOCOL point tokens, REST and GraphQL at the server's /api/v3 and /api/graphql", async () => {
    nock.cleanAll();
    fake = setup(new FakeGithub("Codertocat", "Hello-World", "http://ghe.example.test:8080", "/api/v3", "/api/graphql").install());
    h = await startHarness({ env: { GHE_HOST: "ghe.example.test:8080", GHE_PROTOCOL: "http" } });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(2);
    expect(fake.requests.some((r) => r.path === `/app/installations/${INSTALLATION_ID}/access_tokens`)).toBe(true);
    expect(fake.graphqlCalls("EventletReviewBlobs").length).toBeGreaterThan(0);
  });
});

describe("nothing left pending, nothing fatal that need not be", () => {
  test("a leftover pending review of ours is deleted before posting (GitHub allows one per user)", async () => {
    h = await startHarness();
    fake.reviews.push({ id: 555, node_id: "PRR_555", pull: 1, state: "PENDING", commit_id: HEAD, comments: [] });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("DELETE", "/repos/Codertocat/Hello-World/pulls/1/reviews/555")).toHaveLength(1);
    expect(fake.reviews.map((r) => [r.id === 555, r.state])).toEqual([[false, "COMMENTED"]]);
    expect(fake.reviewComments(1)).toHaveLength(2);
  });

  test("someone else's pending review is left alone", async () => {
    h = await startHarness();
    fake.reviews.push({ id: 556, node_id: "PRR_556", pull: 1, state: "PENDING", author: "octocat", comments: [] });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("DELETE", /\/reviews\/556$/)).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(2);
  });

  test("a fallback that fails on submit deletes its pending review in a finally; the retry then posts", async () => {
    h = await startHarness();
    fake.pulls.get(1)!.files[0].commentable = [1, 2, 3]; // forces the one-by-one fallback
    fake.fail("POST", /\/pulls\/1\/reviews\/\d+\/events$/, 502); // not resent inside the job: the queue runs it again
    await h.deliver("pull_request", opened());
    const errors = await h.runJobs();
    expect(errors[0]).toBeInstanceOf(TransientError);
    expect(fake.reviews.filter((r) => r.state === "PENDING")).toEqual([]);
    expect(fake.calls("DELETE", /\/pulls\/1\/reviews\/\d+$/)).toHaveLength(1);
    await h.adapter.runJob(h.queue.submitted[0]);
    expect(fake.reviews.map((r) => r.state)).toEqual(["COMMENTED"]);
  });

  test("a 403 on dismissing our request for changes is logged and reported in the check run, which still completes", async () => {
    h = await startHarness();
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": "github:\n  request_changes: true\n" });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviews[0].state).toBe("CHANGES_REQUESTED");
    const FIXED = "a1a1000000000000000000000000000000000002";
    const text = "import eventlet\neventlet.monkey_patch()\n";
    fake.commit(FIXED, { ...BASE_FILES, "myapp/cmd/api.py": text });
    Object.assign(fake.pulls.get(1)!, { headSha: FIXED, files: [{ filename: "myapp/cmd/api.py", status: "added", patch: unifiedPatch("", text) }] });
    fake.fail("PUT", /\/dismissals$/, 403, 1, { message: "Must have admin rights to Repository." });
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: FIXED, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    const run = fake.checkRuns.filter((r) => r.head_sha === FIXED).at(-1)!;
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(run.output?.summary).toContain("GitHub refused to dismiss our earlier request for changes (HTTP 403: Must have admin rights");
    expect(fake.reviews[0].state).toBe("CHANGES_REQUESTED");
  });

  test("a check-run summary over 65,535 bytes of multi-byte text is cut by bytes, not refused", async () => {
    h = await startHarness();
    // 80 unknown keys of 500 characters, 80,000 bytes: the error message names them all, so the summary carries them.
    const keys = Array.from({ length: 80 }, (_, i) => `${String(i).padStart(2, "0")}${"é".repeat(498)}: 1`);
    fake.commit(BASE, { ...BASE_FILES, ".eventlet-review.yaml": `${keys.join("\n")}\n` });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.checkRuns).toHaveLength(1);
    const summary = fake.checkRuns[0].output!.summary!;
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(65_535);
    expect(summary).toMatch(/bytes of the summary cut at the limit of 65,535 bytes\)$/);
  });
});
