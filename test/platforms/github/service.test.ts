/**
 * The App inside the real service: its HTTP server (body limit, replayed request with rawBody), its
 * in-process queue and its metrics, with a signed webhook in and a review out.
 */
import { createHmac, randomUUID } from "node:crypto";
import nock from "nock";
import { buildGithubAdapter } from "../../../src/platforms/github/index.js";
import { githubSettings } from "../../../src/platforms/github/settings.js";
import { startService, type RunningService } from "../../../src/service/service.js";
import { loadSettings } from "../../../src/service/settings.js";
import { FakeGithub, unifiedPatch } from "./fake-github.js";
import { WEBHOOK_SECRET, appEnv, pullRequestEvent, silentLogger } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";

let service: RunningService | undefined;

afterEach(async () => {
  await service?.shutdown("test over");
  service = undefined;
  nock.cleanAll();
  nock.enableNetConnect();
});

async function until(condition: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a signed pull_request webhook through the service's server and queue ends in a review and metrics", async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  const fake = new FakeGithub().install();
  const text = "import eventlet\neventlet.monkey_patch(thread=False)\n";
  fake.commit(BASE, {});
  fake.commit(HEAD, { "bin/run.py": text });
  fake.addPull({ number: 5, headSha: HEAD, baseSha: BASE, files: [{ filename: "bin/run.py", status: "added", patch: unifiedPatch("", text) }] });

  service = await startService({
    settings: loadSettings({ PORT: "0", HOST: "127.0.0.1" }),
    env: appEnv(),
    logger: silentLogger,
    factories: [(env, deps) => buildGithubAdapter(githubSettings(env)!, deps, { octokit: { retry: { enabled: false } } })],
  });
  await service.started;

  const body = JSON.stringify(pullRequestEvent("opened", { number: 5, headSha: HEAD, baseSha: BASE }));
  const send = (secret: string) =>
    fetch(`${service!.url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
  expect((await send("wrong")).status).toBe(400);
  expect((await send(WEBHOOK_SECRET)).status).toBe(200);
  await until(() => fake.checkRuns.some((r) => r.status === "completed"));

  expect(fake.reviewComments(5).map((c) => [c.path, c.line])).toEqual([["bin/run.py", 2]]);
  expect(fake.checkRuns[0].conclusion).toBe("failure");
  expect(fake.invalid).toEqual([]);
  // The job reports to the metrics after its last API call: wait for the queue to mark it done.
  const metricsText = async () => (await fetch(`${service!.url}/metrics`)).text();
  await until(async () => /eventlet_review_jobs_total\{[^}]*platform="github"[^}]*\} 1/.test(await metricsText()));
  const metrics = await metricsText();
  expect(metrics).toMatch(/eventlet_review_events_received_total\{[^}]*platform="github"[^}]*\} 1/);
  expect(metrics).toMatch(/eventlet_review_reviews_posted_total\{[^}]*platform="github"[^}]*\} 1/);
  // The review starts its analysis worker thread (src/review/sandbox.ts): seconds on a loaded machine.
}, 120_000);
