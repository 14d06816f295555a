/**
 * Feedback on Gerrit end to end, in the real service: the emulator's SSH stream-events and REST over
 * real sockets, a real store (SQLite). The review records itself; a "not useful: …" reply, a person's
 * resolve while the finding stands and a "Done" land once each (an event seen twice changes nothing),
 * and show on /metrics.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGerritAdapter } from "../../../src/platforms/gerrit/index.js";
import { startService, type RunningService } from "../../../src/service/service.js";
import { loadSettings } from "../../../src/service/settings.js";
import { Store } from "../../../src/service/store/store.js";
import { GerritEmulator } from "./emulator.js";
import { RecordingLogger, waitFor } from "./helpers.js";
import { run } from "../../cli/helpers.js";

const PROJECT = "openstack/myservice";
const FILE = "myservice/cmd/__init__.py";
const demo = (side: "before" | "after") => readFileSync(join("fixtures/demo", side, FILE), "utf8");

let emu: GerritEmulator;
let dir: string;
let store: Store;
let svc: RunningService;

beforeAll(async () => {
  emu = new GerritEmulator();
  await emu.start();
  emu.setBranchFile(PROJECT, "master", FILE, demo("before"));
  dir = mkdtempSync(join(tmpdir(), "gerrit-feedback-"));
  writeFileSync(join(dir, "key"), emu.clientKey.private, { mode: 0o600 });
  writeFileSync(join(dir, "known_hosts"), `${emu.knownHostsLine()}\n`);
  store = await Store.open({ sqlitePath: join(dir, "store.sqlite") });
  const env: NodeJS.ProcessEnv = {
    PORT: "0",
    HOST: "127.0.0.1",
    GERRIT_URL: emu.httpUrl,
    GERRIT_USERNAME: emu.username,
    GERRIT_HTTP_PASSWORD: emu.password,
    GERRIT_STATE_FILE: join(dir, "state.json"),
    GERRIT_EVENTS: "ssh",
    GERRIT_SSH_HOST: "127.0.0.1",
    GERRIT_SSH_PORT: String(emu.sshPort),
    GERRIT_SSH_KEY_PATH: join(dir, "key"),
    GERRIT_SSH_KNOWN_HOSTS: join(dir, "known_hosts"),
  };
  svc = await startService({
    settings: loadSettings(env),
    env,
    logger: new RecordingLogger(),
    store,
    factories: [(e, deps) => createGerritAdapter(e, deps, { restBackoffMs: 10, sshBackoffMs: 100 })],
  });
  await svc.started;
  await emu.waitForStreams(1);
});

afterAll(async () => {
  await svc?.shutdown("test over");
  await store?.close();
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const rows = () => store.db.selectFrom("feedback").select(["rule", "who", "verdict", "gesture", "reason"]).orderBy("who").orderBy("verdict").execute();

test("a 'not useful' reply, a resolve while the finding stands and a 'Done' are recorded once each", async () => {
  const change = emu.createChange({ project: PROJECT, files: { [FILE]: demo("after") } });
  await waitFor(() => emu.reviews(change.number).length > 0, 15_000, "review");
  await waitFor(async () => (await store.recentReviews()).length > 0, 5000, "the review in the store");
  const [review] = await store.recentReviews();
  expect(review).toMatchObject({ platform: "gerrit", repository: PROJECT, change: String(change.number), revision: "1", url: `${emu.httpUrl}/c/${PROJECT}/+/${change.number}` });

  const threads = emu.threads(change.number);
  expect(threads.length).toBeGreaterThanOrEqual(2);
  const ruleOf = (t: (typeof threads)[number]) => /^\*\*(EVL\d{3})/.exec(t.root.message)![1]!;
  const [first, second] = threads;

  emu.reply(change.number, emu.alice, first!.root.id, "not useful: this is the Windows branch", true);
  const event = emu.comment(change.number, emu.alice, "(1 comment)");
  await waitFor(async () => (await rows()).length === 1, 10_000, "alice's report");

  emu.reply(change.number, emu.bob, second!.root.id, "Ack", false);
  emu.comment(change.number, emu.bob, "(1 comment)");
  await waitFor(async () => (await rows()).length === 2, 10_000, "bob's report");

  // The same event again, and a comment of the bot's own: nothing new.
  emu.emit(event);
  emu.comment(change.number, emu.bot, "eventlet-review: a note");
  emu.reply(change.number, emu.alice, first!.root.id, "Done", false);
  emu.comment(change.number, emu.alice, "(1 comment)");
  await waitFor(async () => (await rows()).length === 3, 10_000, "alice's Done");

  expect(await rows()).toEqual([
    { rule: ruleOf(first!), who: "alice", verdict: "not_useful", gesture: "reply", reason: "this is the Windows branch" },
    { rule: ruleOf(first!), who: "alice", verdict: "useful", gesture: "reply", reason: null },
    { rule: ruleOf(second!), who: "bob", verdict: "not_useful", gesture: "resolve", reason: null },
  ]);

  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  expect(metrics).toContain(`eventlet_review_feedback_total{rule="${ruleOf(first!)}",verdict="not_useful"} 1`);
  expect(metrics).toContain(`eventlet_review_feedback_total{rule="${ruleOf(first!)}",verdict="useful"} 1`);
  expect(metrics).toMatch(new RegExp(`eventlet_review_not_useful_ratio\\{rule="${ruleOf(second!)}"\\} (1|0\\.\\d+)`));

  // The CLI's table reads the same store.
  const table = await run(["feedback", "--database", join(dir, "store.sqlite")], { cwd: dir });
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(new RegExp(`^${ruleOf(second!)}\\s+\\d+\\s+0\\s+1\\s+\\d+%`, "m"));
  expect(table.stdout).toContain('"this is the Windows branch" (alice)');
});
