/**
 * The recheck limit: one recheck a minute per pull request, in memory for one instance and, on a real
 * redis-server, shared by every instance (two App instances behind one load balancer get the comment
 * loop's webhooks in turn; together they still queue one review).
 */
import { randomUUID } from "node:crypto";
import nock from "nock";
import { MemoryRecheckLimiter, onePerChange, RedisRecheckLimiter, type RecheckLimiter } from "../../../src/platforms/recheck-limit.js";
import { describeWithRedis, startRedis, type RedisServer } from "../../support/redis-server.js";
import { FakeGithub, unifiedPatch } from "./fake-github.js";
import { issueCommentEvent, startHarness, type Harness } from "./helpers.js";

describe("in-memory recheck limit (a clock of our own)", () => {
  test("one per pull request in the window, whoever asks; another pull request is not held; the window ends", async () => {
    let now = 1_000_000;
    const limiter = new MemoryRecheckLimiter(onePerChange(60_000), () => now);
    expect(await limiter.allow("o/r#1", "octocat")).toBe(true);
    expect(await limiter.allow("o/r#1", "hubot")).not.toBe(true);
    expect(await limiter.allow("o/r#2", "octocat")).toBe(true);
    now += 59_999;
    expect(await limiter.allow("o/r#1", "octocat")).not.toBe(true);
    now += 1;
    expect(await limiter.allow("o/r#1", "octocat")).toBe(true);
  });
});

describeWithRedis("Redis recheck limit", () => {
  let redis: RedisServer;
  const open: RecheckLimiter[] = [];
  const harnesses: Harness[] = [];
  const limiter = (prefix: string, windowMs = 60_000) => {
    const l = new RedisRecheckLimiter(redis.url, `${prefix}:github:recheck`, onePerChange(windowMs));
    open.push(l);
    return l;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.close()));
    nock.cleanAll();
    nock.enableNetConnect();
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
    await redis?.stop();
  });

  test("two instances share the window: the first to ask wins, the other is refused until it ends", async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const [a, b] = [limiter(prefix, 1000), limiter(prefix, 1000)];
    const both = await Promise.all([a.allow("o/r#1", "octocat"), b.allow("o/r#1", "octocat")]);
    expect(both.filter((v) => v === true)).toHaveLength(1);
    expect(await b.allow("o/r#1", "hubot")).not.toBe(true);
    expect(await a.allow("o/r#2", "octocat")).toBe(true);
    expect(await limiter(`other-${prefix}`).allow("o/r#1", "octocat")).toBe(true); // another prefix
    await new Promise((r) => setTimeout(r, 1100));
    expect(await b.allow("o/r#1", "octocat")).toBe(true);
  });

  test("end to end: two App instances get a comment loop's webhooks in turn and queue one review", async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    const fake = new FakeGithub().install();
    const base = "ba5e000000000000000000000000000000000001";
    const head = "a1a1000000000000000000000000000000000001";
    fake.commit(base, {});
    fake.commit(head, { "app.py": "import MySQLdb\n" });
    fake.addPull({ number: 1, headSha: head, baseSha: base, files: [{ filename: "app.py", status: "added", patch: unifiedPatch("", "import MySQLdb\n") }] });
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const instances = [await startHarness({ rechecks: limiter(prefix) }), await startHarness({ rechecks: limiter(prefix) })];
    harnesses.push(...instances);
    for (let i = 0; i < 4; i++) {
      const comment = issueCommentEvent({ number: 1, body: "/eventlet-review recheck", login: "octocat", association: "NONE", commentId: 100 + i });
      expect((await instances[i % 2].deliver("issue_comment", comment)).status).toBe(200);
    }
    expect(instances.flatMap((h) => h.queue.submitted)).toHaveLength(1);
    expect(fake.reactions).toHaveLength(1);
    expect(fake.invalid).toEqual([]);
  });
});
