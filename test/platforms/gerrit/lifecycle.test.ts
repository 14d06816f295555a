/**
 * The Gerrit bot across a change's life, against the emulator over real sockets: a POST that timed out
 * after Gerrit applied it, an outage of 30 minutes on a simulated clock (file state and Redis), and
 * webhook mode's reconciliation of lost deliveries.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGerritAdapter, type GerritAdapter, type GerritAdapterOptions } from "../../../src/platforms/gerrit/index.js";
import { REVIEW_TAG } from "../../../src/platforms/gerrit/settings.js";
import { describeWithRedis, startRedis, type RedisServer } from "../../support/redis-server.js";
import { GerritEmulator, type Change } from "./emulator.js";
import { RecordingLogger, TestQueue, recordingHooks, waitFor } from "./helpers.js";

const demo = (side: "before" | "after", path: string) => readFileSync(join("fixtures/demo", side, path), "utf8");
const FILES = ["myservice/__init__.py", "myservice/cmd/__init__.py", "myservice/db.py"];
const PROJECT = "openstack/myservice";
const afterFiles = () => Object.fromEntries(FILES.map((p) => [p, demo("after", p)]));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gerrit-life-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function emulator(options: { clockStart?: number } = {}): Promise<GerritEmulator> {
  const emu = new GerritEmulator(options);
  await emu.start();
  for (const path of FILES) emu.setBranchFile(PROJECT, "master", path, demo("before", path));
  writeFileSync(join(dir, "id_ed25519"), emu.clientKey.private, { mode: 0o600 });
  writeFileSync(join(dir, "known_hosts"), `${emu.knownHostsLine()}\n`);
  return emu;
}

interface Bot {
  adapter: GerritAdapter;
  queue: TestQueue;
  logger: RecordingLogger;
  stop(): Promise<void>;
}

async function bot(emu: GerritEmulator, env: Record<string, string>, options: GerritAdapterOptions = {}): Promise<Bot> {
  const queue = new TestQueue();
  const logger = new RecordingLogger();
  const adapter = (await createGerritAdapter(
    {
      GERRIT_URL: emu.httpUrl,
      GERRIT_USERNAME: emu.username,
      GERRIT_HTTP_PASSWORD: emu.password,
      GERRIT_SSH_HOST: "127.0.0.1",
      GERRIT_SSH_PORT: String(emu.sshPort),
      GERRIT_SSH_KEY_PATH: join(dir, "id_ed25519"),
      GERRIT_SSH_KNOWN_HOSTS: join(dir, "known_hosts"),
      GERRIT_PROJECTS: "openstack/*",
      ...env,
    },
    { queue, logger, hooks: recordingHooks().hooks },
    { restBackoffMs: 10, sshBackoffMs: 100, catchUpRetryMs: 200, postRetryMs: 10, now: () => emu.nowSeconds(), ...options },
  ))!;
  queue.handle("gerrit", (job) => adapter.runJob(job));
  return {
    adapter,
    queue,
    logger,
    async stop() {
      await adapter.stop?.();
      await queue.close();
    },
  };
}

/** Our review messages on a change (one per review Gerrit applied). */
const ourMessages = (emu: GerritEmulator, change: Change, patchSet?: number) =>
  change.messages.filter((m) => m.author._account_id === emu.bot._account_id && m.tag === REVIEW_TAG && (patchSet === undefined || m._revision_number === patchSet));

describe("idempotent posting", () => {
  let emu: GerritEmulator;
  let b: Bot;
  beforeAll(async () => {
    emu = await emulator();
    b = await bot(emu, { GERRIT_EVENTS: "webhook", GERRIT_WEBHOOK_TOKEN: "0123456789abcdef-token", GERRIT_STATE_FILE: join(dir, "idem.json"), GERRIT_RECONCILE_SECONDS: "0" }, { restTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await b.stop();
    await emu.stop();
  });

  const review = async (change: Change) => {
    await b.adapter.bot.acceptEvent(emu.events.at(-1) as never, "webhook");
    await b.queue.idle();
    return emu.requests.filter((r) => r.method === "POST" && r.path.includes(`~${change.number}/`));
  };

  test("a POST that times out after Gerrit applied it leaves exactly one message, one vote and one set of comments", async () => {
    emu.failAfterApply("POST", /\/review$/, 0);
    const change = emu.createChange({ project: PROJECT, files: afterFiles() });
    const posts = await review(change);
    expect(posts).toHaveLength(1); // looked, found it, did not post again
    expect(ourMessages(emu, change)).toHaveLength(1);
    expect(change.comments).toHaveLength(3);
    expect(emu.currentVotes(change.number)).toEqual([{ label: "Verified", value: -1, account: emu.bot._account_id }]);
    expect(b.logger.text()).toContain('"applied":true');
    expect(b.queue.failures).toEqual([]);
  });

  test("a 502 from a proxy after Gerrit applied the review: no second review", async () => {
    emu.failAfterApply("POST", /\/review$/, 502);
    const change = emu.createChange({ project: PROJECT, files: afterFiles() });
    expect(await review(change)).toHaveLength(1);
    expect(ourMessages(emu, change)).toHaveLength(1);
  });

  test("a 503 that Gerrit did not apply is posted again, once", async () => {
    emu.failNext("POST", /\/review$/, 503);
    const change = emu.createChange({ project: PROJECT, files: afterFiles() });
    const posts = await review(change);
    expect(posts.map((p) => p.status)).toEqual([503, 200]);
    expect(ourMessages(emu, change)).toHaveLength(1);
    expect(change.comments).toHaveLength(3);
  });
});

/**
 * The bot is down for 30 minutes of Gerrit's (simulated) time: new changes, new patch sets, rechecks by
 * people who may and may not ask. Restarted, it catches up from its cursor, though the outage began
 * long before its ten-minute look-back.
 */
function outage(store: "file" | "redis", env: () => Record<string, string>) {
  test(`a bot restarted after a 30-minute outage reviews every patch set and honours every recheck, exactly once (${store})`, async () => {
    const start = Date.now() - 6 * 3600_000;
    const emu = await emulator({ clockStart: start });
    const bots: Bot[] = [];
    const started = async () => {
      const b = await bot(emu, env());
      bots.push(b);
      await b.adapter.start!();
      return b;
    };
    try {
      const first = await started();
      await emu.waitForStreams(1);
      const reviewedBefore = emu.createChange({ project: PROJECT, files: afterFiles() });
      const recheckedTwice = emu.createChange({ project: PROJECT, files: afterFiles() });
      const refused = emu.createChange({ project: PROJECT, files: afterFiles() });
      const rebased = emu.createChange({ project: PROJECT, files: afterFiles() });
      await waitFor(() => [reviewedBefore, recheckedTwice, refused, rebased].every((c) => ourMessages(emu, c).length === 1), 15_000, "live reviews");
      await first.queue.idle();
      await first.stop();
      bots.length = 0;
      const downAt = emu.nowSeconds();

      // The outage: nobody listens.
      emu.tick(60);
      const newChange = emu.createChange({ project: PROJECT, files: afterFiles() });
      emu.tick(300);
      emu.uploadPatchSet(reviewedBefore.number, { ...afterFiles(), "myservice/db.py": `${demo("after", "myservice/db.py")}X = 1\n` });
      emu.tick(300);
      emu.comment(recheckedTwice.number, emu.alice, "eventlet-review recheck");
      emu.tick(300);
      emu.comment(recheckedTwice.number, emu.alice, "eventlet-review recheck");
      emu.comment(refused.number, emu.mallory, "eventlet-review recheck");
      emu.comment(newChange.number, emu.alice, "recheck"); // Zuul's word: not ours
      emu.tick(300);
      emu.uploadPatchSet(rebased.number, afterFiles(), "TRIVIAL_REBASE");
      emu.tick(540);
      expect(emu.nowSeconds() - downAt).toBeGreaterThanOrEqual(1800);

      const second = await started();
      await waitFor(() => second.logger.text().includes("Gerrit catch-up done"), 15_000, "catch-up");
      await second.queue.idle();
      // The ten-minute look-back alone would have started here, after most of the outage.
      const query = emu.requests.filter((r) => r.path === "/a/changes/").at(-1)!;
      const since = Date.parse(`${/after:"([^"]+)"/.exec(query.query.get("q")!)![1].replace(" ", "T")}Z`) / 1000;
      expect(since).toBeLessThanOrEqual(downAt);

      expect(ourMessages(emu, newChange).map((m) => m._revision_number)).toEqual([1]);
      expect(ourMessages(emu, reviewedBefore).map((m) => m._revision_number)).toEqual([1, 2]);
      expect(ourMessages(emu, recheckedTwice)).toHaveLength(2); // two rechecks, one review answers both
      expect(ourMessages(emu, rebased).map((m) => m._revision_number)).toEqual([1, 2]);
      expect(emu.currentVotes(rebased.number)).toEqual([{ label: "Verified", value: -1, account: emu.bot._account_id }]);
      expect(ourMessages(emu, refused)).toHaveLength(1);
      expect(refused.messages.filter((m) => m.tag === "autogenerated:eventlet-review-note")).toHaveLength(1);
      await second.stop();
      bots.length = 0;

      // Restarted again: everything is answered, nothing is posted twice.
      const posts = emu.requests.filter((r) => r.method === "POST").length;
      const third = await started();
      await waitFor(() => third.logger.text().includes("Gerrit catch-up done"), 15_000, "second catch-up");
      await third.queue.idle();
      expect(emu.requests.filter((r) => r.method === "POST").length).toBe(posts);
    } finally {
      for (const b of bots) await b.stop();
      await emu.stop();
    }
  }, 60_000);
}

describe("no event lost: the cursor in a state file", () => {
  const state = () => join(dir, "outage-state.json");
  outage("file", () => ({ GERRIT_EVENTS: "ssh", GERRIT_STATE_FILE: state() }));

  test("the state file holds the cursor, written whole", () => {
    const saved = JSON.parse(readFileSync(state(), "utf8")) as { cursor: number };
    expect(Number.isInteger(saved.cursor)).toBe(true);
  });
});

describeWithRedis("no event lost: the cursor in Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  outage("redis", () => ({ GERRIT_EVENTS: "ssh", REDIS_URL: redis.url, QUEUE_PREFIX: "life", GERRIT_STATE_FILE: join(dir, "never-written.json") }));

  test("Redis holds the cursor under the queue prefix, and no state file is written", async () => {
    const { Redis } = await import("ioredis");
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys("life:gerrit-state:*");
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^life:gerrit-state:127\.0\.0\.1:\d+$/);
      expect(Number(await client.hget(keys[0], "cursor"))).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
    expect(() => readFileSync(join(dir, "never-written.json"))).toThrow();
  });
});

describe("webhook mode reconciles on a timer", () => {
  test("lost deliveries (a new patch set, a recheck) are reviewed by the reconciliation, once", async () => {
    const emu = await emulator();
    const b = await bot(emu, { GERRIT_EVENTS: "webhook", GERRIT_WEBHOOK_TOKEN: "0123456789abcdef-token", GERRIT_STATE_FILE: join(dir, "webhook.json") }, { reconcileMs: 300 });
    try {
      await b.adapter.start!();
      // The plugin never delivered these.
      const lost = emu.createChange({ project: PROJECT, files: afterFiles() });
      await waitFor(() => ourMessages(emu, lost).length === 1, 10_000, "reconciled review");
      emu.comment(lost.number, emu.alice, "eventlet-review recheck");
      await waitFor(() => ourMessages(emu, lost).length === 2, 10_000, "reconciled recheck");
      // Several more rounds: nothing more.
      const rounds = emu.requests.filter((r) => r.path === "/a/changes/").length;
      await waitFor(() => emu.requests.filter((r) => r.path === "/a/changes/").length >= rounds + 3, 10_000, "more rounds");
      await b.queue.idle();
      expect(ourMessages(emu, lost)).toHaveLength(2);
    } finally {
      await b.stop();
      await emu.stop();
    }
  });
});

describe("one thread per finding for the life of a change", () => {
  let emu: GerritEmulator;
  let b: Bot;
  beforeAll(async () => {
    emu = await emulator();
    b = await bot(emu, { GERRIT_EVENTS: "webhook", GERRIT_WEBHOOK_TOKEN: "0123456789abcdef-token", GERRIT_STATE_FILE: join(dir, "threads.json"), GERRIT_RECONCILE_SECONDS: "0" });
  });
  afterAll(async () => {
    await b.stop();
    await emu.stop();
  });

  /** db.py with `notes` comment lines above the legacy URL, so the finding's line moves on every patch set. */
  const db = (notes: number, legacy = "mysql://myservice:secret@legacy-db/myservice") =>
    demo("after", "myservice/db.py")
      .replace("CONNECTION = ", `${Array.from({ length: notes }, (_, i) => `# note ${i + 1}\n`).join("")}CONNECTION = `)
      .replace("mysql://myservice:secret@legacy-db/myservice", legacy);
  const deliver = async () => {
    const before = emu.requests.length;
    await b.adapter.bot.acceptEvent(emu.events.at(-1) as never, "webhook");
    await b.queue.idle();
    return emu.requests.slice(before);
  };
  const posts = (requests: { method: string; path: string; status: number }[]) => requests.filter((r) => r.method === "POST" && /\/review$/.test(r.path));

  test("five patch sets with an unchanged finding give exactly one thread each; the fix resolves it; a person's resolution stands", async () => {
    const change = emu.createChange({ project: PROJECT, files: { ...afterFiles(), "myservice/db.py": db(0) } });
    const first = await deliver();
    // The closing number: REST requests for one review of a three-file change.
    console.log(`requests for a 3-file change: ${first.length} (${first.map((r) => `${r.method} ${r.path.replace(/^\/a\//, "")}`).join(", ")})`);
    // 28: the branch config is looked for in its five places (.eventlet-review.yaml/.yml, pyproject.toml,
    // setup.cfg, tox.ini), side by side, as the CLI looks in a checkout; Gerrit has no call that reads several.
    expect(first.length).toBeLessThanOrEqual(28);
    const perPatchSet = [posts(first).length];
    for (let ps = 2; ps <= 5; ps++) {
      emu.uploadPatchSet(change.number, { ...afterFiles(), "myservice/db.py": db(ps - 1) });
      perPatchSet.push(posts(await deliver()).length);
    }
    console.log(`reviews per patch set over 5 patch sets: ${perPatchSet.join(", ")}`);
    expect(perPatchSet).toEqual([1, 1, 1, 1, 1]);
    expect(ourMessages(emu, change).map((m) => m._revision_number)).toEqual([1, 2, 3, 4, 5]);
    const threads = emu.threads(change.number);
    expect(threads.map((t) => [t.root.path, t.root.patch_set, t.unresolved, t.comments.length])).toEqual([
      ["myservice/cmd/__init__.py", 1, true, 1],
      ["myservice/cmd/__init__.py", 1, true, 1],
      ["myservice/db.py", 1, true, 1],
    ]);
    // Patch sets 2 to 5 said so in their message, and posted nothing inline.
    for (const r of emu.reviews(change.number).slice(1)) expect(r.body.comments).toBeUndefined();

    // Patch set 6 fixes the URL: the EVL301 thread is answered and resolved where it lives (patch set 1).
    emu.uploadPatchSet(change.number, { ...afterFiles(), "myservice/db.py": db(5, "mysql+pymysql://myservice:secret@legacy-db/myservice") });
    const sixth = posts(await deliver());
    expect(sixth.map((r) => r.path.replace(/.*\/revisions\//, ""))).toEqual(["6/review", "1/review"]);
    const fixed = emu.threads(change.number).find((t) => t.root.path === "myservice/db.py")!;
    expect(fixed.unresolved).toBe(false);
    expect(fixed.comments.at(-1)).toMatchObject({ message: "Fixed in patch set 6.", unresolved: false, patch_set: 1, author: emu.bot });
    expect(emu.threads(change.number).filter((t) => t.unresolved)).toHaveLength(2);

    // Alice resolves the EVL104 thread (she wants thread=False); the next patch set keeps the finding.
    const evl104 = emu.threads(change.number).find((t) => t.root.message.includes("EVL104"))!;
    emu.reply(change.number, emu.alice, evl104.comments.at(-1)!.id, "We keep thread=False on purpose.", false);
    emu.uploadPatchSet(change.number, { ...afterFiles(), "myservice/db.py": `${db(5, "mysql+pymysql://x@db/x")}X = 1\n` });
    const seventh = posts(await deliver());
    expect(seventh).toHaveLength(1);
    expect(emu.reviews(change.number).at(-1)!.body.comments).toBeUndefined(); // not reopened, not posted again
    const after = emu.threads(change.number);
    expect(after).toHaveLength(3);
    expect(after.find((t) => t.root.id === evl104.root.id)!.unresolved).toBe(false);
    expect(after.filter((t) => t.unresolved).map((t) => t.root.message.slice(0, 8))).toEqual(["**EVL101"]);
  });

  test("a recheck of the same patch set posts nothing that is already there", async () => {
    const change = emu.createChange({ project: PROJECT, files: afterFiles() });
    await deliver();
    emu.comment(change.number, emu.alice, "eventlet-review recheck");
    const again = posts(await deliver());
    expect(again).toHaveLength(1);
    expect(emu.reviews(change.number)[1].body.comments).toBeUndefined();
    expect(emu.threads(change.number)).toHaveLength(3);
  });
});
