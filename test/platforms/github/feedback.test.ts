/**
 * Feedback on GitHub end to end: a real review against the fake GitHub (nock) records itself in a real
 * store (SQLite); then a "not useful: …" reply, a person's resolve and 👎/👍 reactions (polled: GitHub
 * sends no reaction webhook) on the comments it posted land in the store once each, and in the metrics.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { Registry } from "prom-client";
import { FeedbackLedger } from "../../../src/service/feedback.js";
import { Store } from "../../../src/service/store/store.js";
import { BOT_LOGIN, FakeGithub, unifiedPatch } from "./fake-github.js";
import { example, pullRequestEvent, silentLogger, startHarness, type Harness } from "./helpers.js";
import { replyVerdict } from "../../../src/platforms/github/feedback.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD1 = "a1a1000000000000000000000000000000000001";
const API = ["import eventlet", "eventlet.monkey_patch(thread=False)", "", "import MySQLdb", "", "CONNECTION = 'mysql://nova:secret@db/nova'", ""].join("\n");
const BASE_FILES = { "myapp/__init__.py": "", "myapp/cmd/__init__.py": "" };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let fake: FakeGithub;
let h: Harness;
let dir: string;
let store: Store;
let registry: Registry;
/** Our posted comments as GitHub lists them (ids given here), and the reactions on each. */
let comments: Json[];
let reactions: Map<number, Json[]>;

const bot = { login: BOT_LOGIN, type: "Bot", id: 1 };
const person = (login: string) => ({ login, type: "User", id: login.length });

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  comments = [];
  reactions = new Map();
  // Before the fake's catch-all: the review-comment and reaction endpoints the feedback reads.
  const scope = nock("https://api.github.com").persist();
  scope.get(/^\/repos\/Codertocat\/Hello-World\/pulls\/comments\/\d+$/).reply((uri) => {
    const c = comments.find((x) => x.id === Number(uri.split("/").at(-1)));
    return c ? [200, c] : [404, { message: "Not Found" }];
  });
  scope.get(/^\/repos\/Codertocat\/Hello-World\/pulls\/\d+\/comments(\?.*)?$/).reply(() => [200, comments]);
  scope.get(/^\/repos\/Codertocat\/Hello-World\/pulls\/comments\/\d+\/reactions(\?.*)?$/).reply((uri) => [200, reactions.get(Number(uri.split("/").at(-2))) ?? []]);
  fake = new FakeGithub().install();
  fake.commit(BASE, BASE_FILES);
  dir = mkdtempSync(join(tmpdir(), "gh-feedback-"));
  store = await Store.open({ sqlitePath: join(dir, "store.sqlite") });
  registry = new Registry();
  h = await startHarness({ ledger: new FeedbackLedger(store, registry, silentLogger) });
});

afterEach(async () => {
  await h.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
  expect(fake.invalid).toEqual([]);
});

/** Reviews pull 1 and returns its comments as GitHub would list them: EVL104 (2), EVL301 (4), EVL301 (6). */
async function reviewed(): Promise<Json[]> {
  fake.commit(HEAD1, { ...BASE_FILES, "myapp/cmd/api.py": API });
  fake.addPull({ number: 1, headSha: HEAD1, baseSha: BASE, files: [{ filename: "myapp/cmd/api.py", status: "added", patch: unifiedPatch("", API) }] });
  await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD1, baseSha: BASE }));
  expect(await h.runJobs()).toEqual([]);
  comments = fake.reviews[0]!.comments.map((c, i) => ({ id: 9001 + i, path: c.path, line: c.line, body: c.body, user: bot, reactions: { "+1": 0, "-1": 0 } }));
  return comments;
}

function reply(to: Json, who: string, body: string): Json {
  const payload = example("pull_request_review_comment", "created");
  payload.repository.name = "Hello-World";
  payload.repository.full_name = "Codertocat/Hello-World";
  payload.repository.owner.login = "Codertocat";
  payload.installation = { id: 77, node_id: "x" };
  payload.pull_request.number = 1;
  Object.assign(payload.comment, { id: to.id + 500, in_reply_to_id: to.id, body, user: { ...payload.comment.user, ...person(who) }, created_at: "2026-12-01T10:00:00Z" });
  payload.sender = { ...payload.sender, ...person(who) };
  return payload;
}

function resolved(first: Json, who: { login: string; type: string }, replies: Json[] = []): Json {
  const payload = example("pull_request_review_thread", "resolved");
  payload.repository.name = "Hello-World";
  payload.repository.full_name = "Codertocat/Hello-World";
  payload.repository.owner.login = "Codertocat";
  payload.installation = { id: 77, node_id: "x" };
  payload.pull_request.number = 1;
  const template = payload.thread.comments[0];
  payload.thread.comments = [{ ...template, id: first.id, body: first.body, user: { ...template.user, ...first.user } }, ...replies.map((r) => ({ ...template, ...r }))];
  payload.sender = { ...payload.sender, ...who };
  return payload;
}

function react(comment: Json, who: { login: string; type: string }, content: "+1" | "-1"): void {
  const list = reactions.get(comment.id) ?? [];
  list.push({ id: list.length + 1, content, user: who, created_at: "2026-12-01T11:00:00Z" });
  reactions.set(comment.id, list);
  comment.reactions[content]++;
}

describe("replies", () => {
  test.each([
    ["not useful: this is the Windows branch", { verdict: "not_useful", reason: "this is the Windows branch" }],
    ["Not useful", { verdict: "not_useful" }],
    ["not-useful — generated code", { verdict: "not_useful", reason: "generated code" }],
    ["Done", { verdict: "useful" }],
    ["fixed in the next push", { verdict: "useful" }],
    ["this is not useful", undefined],
    ["Why?", undefined],
  ])("%j", (body, expected) => {
    expect(replyVerdict(body)).toEqual(expected);
  });
});

describe("feedback from GitHub", () => {
  test("the review is in the store with every finding's fingerprint", async () => {
    await reviewed();
    const [review] = await store.recentReviews();
    expect(review).toMatchObject({ platform: "github", repository: "Codertocat/Hello-World", change: "1", revision: HEAD1, findings: 3, posted: 3, resolved: 0, url: "https://github.com/Codertocat/Hello-World/pull/1" });
    // The status page's budget: the review's two writes are spent.
    expect((await h.adapter.status!()).rows).toEqual([{ label: "installation 77", value: "78/80 writes left this minute, 498/500 this hour", warn: false }]);
  });

  test("a 'not useful' reply, a human resolve and a 👎 land once each; a 👎 seen twice counts once", async () => {
    const [evl104, evl301, evl301b] = await reviewed();

    const answer = reply(evl301!, "alice", "not useful: this is the Windows branch");
    expect((await h.deliver("pull_request_review_comment", answer)).status).toBe(200);
    expect((await h.deliver("pull_request_review_comment", answer)).status).toBe(200); // redelivered
    // A reply to someone else's comment, and a bot's reply, are not feedback.
    comments.push({ id: 7000, body: "a person's comment", user: person("zed"), reactions: {} });
    await h.deliver("pull_request_review_comment", reply({ id: 7000 }, "alice", "not useful"));
    const botReply = reply(evl104!, "dependabot[bot]", "not useful");
    botReply.comment.user.type = "Bot";
    await h.deliver("pull_request_review_comment", botReply);

    expect((await h.deliver("pull_request_review_thread", resolved(evl104!, person("bob")))).status).toBe(200);
    // Our own resolve (the finding went), and a resolve after saying "Done", are not "not useful".
    await h.deliver("pull_request_review_thread", resolved(evl104!, { login: BOT_LOGIN, type: "Bot" }));
    await h.deliver("pull_request_review_thread", resolved(evl301b!, person("erin"), [{ id: 9999, body: "Done", user: person("erin") }]));

    react(evl301!, person("carol"), "-1");
    react(evl301b!, person("dave"), "+1");
    react(evl301b!, { login: "renovate[bot]", type: "Bot" }, "-1");
    expect(await h.adapter.pollFeedback()).toBe(2);
    expect(await h.adapter.pollFeedback()).toBe(0); // the same 👎 read again

    const rows = await store.db.selectFrom("feedback").select(["rule", "who", "verdict", "gesture", "reason"]).orderBy("who").execute();
    expect(rows).toEqual([
      { rule: "EVL301", who: "alice", verdict: "not_useful", gesture: "reply", reason: "this is the Windows branch" },
      { rule: "EVL104", who: "bob", verdict: "not_useful", gesture: "resolve", reason: null },
      { rule: "EVL301", who: "carol", verdict: "not_useful", gesture: "reaction", reason: null },
      { rule: "EVL301", who: "dave", verdict: "useful", gesture: "reaction", reason: null },
    ]);

    const stats = await store.ruleStats();
    expect(stats.map((s) => [s.rule, s.findings, s.useful, s.notUseful, s.notUsefulFindings, s.ratio])).toEqual([
      ["EVL104", 1, 0, 1, 1, 1],
      ["EVL301", 2, 1, 2, 1, 0.5],
    ]);

    const metrics = await registry.metrics();
    expect(metrics).toContain('eventlet_review_feedback_total{rule="EVL301",verdict="not_useful"} 2');
    expect(metrics).toContain('eventlet_review_feedback_total{rule="EVL301",verdict="useful"} 1');
    expect(metrics).toContain('eventlet_review_feedback_total{rule="EVL104",verdict="not_useful"} 1');
    expect(metrics).toContain('eventlet_review_not_useful_ratio{rule="EVL301"} 0.5');
    expect(metrics).toContain('eventlet_review_not_useful_ratio{rule="EVL104"} 1');
    // The poll only read: no write reached GitHub after the review's two.
    expect(fake.writes()).toHaveLength(2);
  });

  test("a thread resolved after a push took its finding away is not feedback", async () => {
    const [evl104] = await reviewed();
    // The next review no longer has the EVL104 finding.
    await store.recordReview({ platform: "github", repository: "Codertocat/Hello-World", change: "1", revision: "b".repeat(40), findings: [], posted: 0, resolved: 0, durationMs: 1 });
    await h.deliver("pull_request_review_thread", resolved(evl104!, person("bob")));
    expect(await store.db.selectFrom("feedback").selectAll().execute()).toEqual([]);
  });
});
