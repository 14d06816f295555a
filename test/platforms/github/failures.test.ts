/**
 * What goes wrong: forged webhooks, GitHub errors (retried, transient, refused comments), a broken
 * config, one bad event among good ones; and GitHub Enterprise Server through GHE_HOST.
 */
import nock from "nock";
import { TransientError } from "../../../src/platforms/adapter.js";
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
  test("a server error fails the job as transient, the check run says so, and the retried job succeeds", async () => {
    h = await startHarness();
    fake.fail("GET", /\/pulls\/1\/files$/, 502);
    await h.deliver("pull_request", opened());
    const job = h.queue.submitted[0];
    const errors = await h.runJobs();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TransientError);
    expect(fake.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(fake.checkRuns[0].output?.summary).toContain("will be retried");
    expect(h.hooks.apiErrors).toContain(502);

    await h.adapter.runJob(job); // the queue's retry
    expect(fake.checkRuns[1]).toMatchObject({ conclusion: "failure" });
    expect(fake.reviewComments(1)).toHaveLength(2);
  });

  test("with the retry plugin on, a 502 is retried inside the job", async () => {
    h = await startHarness({ retry: true });
    fake.fail("GET", /\/pulls\/1\/files$/, 502);
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls/1/files")).toHaveLength(2);
    expect(fake.reviewComments(1)).toHaveLength(2);
  });

  test("a secondary rate limit waits for retry-after and retries (our throttle handler), then gives up as transient", async () => {
    h = await startHarness({ throttle: true });
    const limited = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };
    fake.fail("POST", /\/check-runs$/, 403, 1, limited, { "retry-after": "3" });
    await h.deliver("pull_request", opened());
    expect(await h.runJobs()).toEqual([]);
    expect(fake.calls("POST", "/repos/Codertocat/Hello-World/check-runs")).toHaveLength(2);
    expect(fake.reviewComments(1)).toHaveLength(2);

    fake.fail("GET", /\/pulls\/1\/files$/, 403, 10, limited, { "retry-after": "1" });
    await h.deliver("pull_request", pullRequestEvent("synchronize", { number: 1, headSha: HEAD, baseSha: BASE }));
    const errors = await h.runJobs();
    expect(errors[0]).toBeInstanceOf(TransientError);
    expect(fake.calls("GET", "/repos/Codertocat/Hello-World/pulls/1/files")).toHaveLength(1 + 4); // first job + 1 try and 3 retries
  });

  test("a 404 (no access) is not transient: the job fails for good and the check run is completed", async () => {
    h = await startHarness();
    fake.fail("POST", /\/graphql#EventletReviewThreads$/, 404, 1, { message: "Not Found" });
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
    expect(fake.checkRuns).toEqual([expect.objectContaining({ conclusion: "failure", output: expect.objectContaining({ title: "Invalid .eventlet-review.yaml" }) })]);
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
    await expect(h.adapter.runJob(broken)).rejects.toThrow("incomplete payload");
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
