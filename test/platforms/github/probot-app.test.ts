/** The `probot run` entry: Probot's own receive(), the in-process queue, the same review. */
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import type { Logger as PinoLogger } from "pino";
import { createProbotApp } from "../../../src/platforms/github/probot-app.js";
import { APP_ID, FakeGithub, unifiedPatch } from "./fake-github.js";
import { PRIVATE_KEY, pullRequestEvent, silentLogger } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test("probot.receive() queues the review in process; a redelivery is dropped", async () => {
  nock.disableNetConnect();
  const fake = new FakeGithub().install();
  const text = "import MySQLdb\n";
  fake.commit(BASE, {});
  fake.commit(HEAD, { "app.py": text });
  fake.addPull({ number: 3, headSha: HEAD, baseSha: BASE, files: [{ filename: "app.py", status: "added", patch: unifiedPatch("", text) }] });

  const probot = new Probot({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    log: silentLogger as unknown as PinoLogger,
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  const { app, queue } = createProbotApp();
  await probot.load(app);
  const payload = pullRequestEvent("opened", { number: 3, headSha: HEAD, baseSha: BASE });
  await probot.receive({ id: "delivery-1", name: "pull_request", payload: payload as never });
  await probot.receive({ id: "delivery-1", name: "pull_request", payload: payload as never });
  await queue()!.idle();

  expect(fake.reviewComments(3).map((c) => [c.path, c.line])).toEqual([["app.py", 1]]);
  expect(fake.checkRuns).toHaveLength(1);
  expect(fake.invalid).toEqual([]);
});
