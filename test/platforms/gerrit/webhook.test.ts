/**
 * GERRIT_EVENTS=webhook: event JSON POSTed to /gerrit/events with `Authorization: Bearer <token>`, or to
 * /gerrit/events/<token> (the webhooks plugin's URL); the token is the only credential, so anything else
 * is refused and the token never appears in a log line.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGerritAdapter, type GerritAdapter } from "../../../src/platforms/gerrit/index.js";
import { tokenMatches } from "../../../src/platforms/gerrit/webhook.js";
import { GerritEmulator } from "./emulator.js";
import { RecordingLogger, TestQueue, recordingHooks } from "./helpers.js";

const TOKEN = "Zq3xV9-webhook-token-for-tests_0123456789";
const PROJECT = "openstack/myservice";
const demo = (side: "before" | "after", path: string) => readFileSync(join("fixtures/demo", side, path), "utf8");

let emu: GerritEmulator;
let adapter: GerritAdapter;
let queue: TestQueue;
let logger: RecordingLogger;
let server: Server;
let base: string;

beforeAll(async () => {
  emu = new GerritEmulator();
  await emu.start();
  emu.setBranchFile(PROJECT, "master", "myservice/cmd/__init__.py", demo("before", "myservice/cmd/__init__.py"));
  queue = new TestQueue();
  logger = new RecordingLogger();
  const env = {
    GERRIT_URL: `${emu.httpUrl}/`,
    GERRIT_USERNAME: emu.username,
    GERRIT_HTTP_PASSWORD: emu.password,
    GERRIT_EVENTS: "webhook",
    GERRIT_WEBHOOK_TOKEN: TOKEN,
    GERRIT_LABEL: "Eventlet-Review",
    GERRIT_STATE_FILE: join(mkdtempSync(join(tmpdir(), "gerrit-webhook-")), "state.json"),
  };
  adapter = (await createGerritAdapter(env, { queue, logger, hooks: recordingHooks().hooks }, { restBackoffMs: 10 }))!;
  expect(adapter.stream).toBeUndefined();
  queue.handle("gerrit", (job) => adapter.runJob(job));
  // Stands in for the service's HTTP server, which hands every other path to the adapters.
  server = createServer((req, res) => {
    void adapter.handleHttp!(req, res).then((mine) => {
      if (!mine) {
        res.writeHead(404);
        res.end("service: not found");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await queue?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await emu?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json", "X-Origin-Url": emu.httpUrl }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("Gerrit webhook source", () => {
  test("an event POSTed with the token is reviewed and voted on the configured label", async () => {
    const change = emu.createChange({ project: PROJECT, files: { "myservice/cmd/__init__.py": demo("after", "myservice/cmd/__init__.py") } });
    const response = await post(`/gerrit/events/${TOKEN}`, emu.events.at(-1));
    expect(response.status).toBe(202);
    await queue.idle();
    const [review] = emu.reviews(change.number);
    expect(review.body.labels).toEqual({ "Eventlet-Review": -1 });
    expect(Object.keys(review.body.comments as object)).toEqual(["myservice/cmd/__init__.py"]);

    // The plugin retries deliveries: the same event is a duplicate, not a second review.
    const again = await post(`/gerrit/events/${TOKEN}`, emu.events.at(-1));
    expect(again.status).toBe(200);
    expect(await again.text()).toBe("duplicate\n");
    await queue.idle();
    expect(emu.reviews(change.number)).toHaveLength(1);
  });

  test("a wrong, missing or partial token is refused like an unknown path, and never logged", async () => {
    const change = emu.createChange({ project: PROJECT, files: { "myservice/cmd/__init__.py": demo("after", "myservice/cmd/__init__.py") } });
    const event = emu.events.at(-1);
    const submitted = queue.submitted.length;
    for (const path of ["/gerrit/events/not-the-token", `/gerrit/events/${TOKEN.slice(0, -1)}`, `/gerrit/events/${TOKEN}x`, `/gerrit/events/${TOKEN}/extra`, "/gerrit/events/%E0%A4%A"]) {
      const response = await post(path, event);
      expect([path, response.status]).toEqual([path, 404]);
    }
    // No token at all: 401, asking for the header.
    for (const path of ["/gerrit/events", "/gerrit/events/"]) {
      const response = await post(path, event);
      expect([path, response.status, response.headers.get("www-authenticate")]).toEqual([path, 401, 'Bearer realm="gerrit-events"']);
    }
    // A wrong header, or a header and a path that disagree: 403.
    for (const [path, header] of [["/gerrit/events", "Bearer nope"], ["/gerrit/events", `Basic ${TOKEN}`], [`/gerrit/events/${TOKEN}`, "Bearer nope"], ["/gerrit/events/nope", `Bearer ${TOKEN}`]]) {
      const response = await fetch(`${base}${path}`, { method: "POST", headers: { Authorization: header }, body: JSON.stringify(event) });
      expect([path, header, response.status]).toEqual([path, header, 403]);
    }
    expect((await fetch(`${base}/gerrit/events/${TOKEN}`)).status).toBe(405);
    expect((await post("/api/github/webhooks", event)).status).toBe(404); // not the adapter's path
    expect((await post(`/gerrit/events/${TOKEN}`, "{oops")).status).toBe(400);
    await queue.idle();
    expect(queue.submitted.length).toBe(submitted);
    expect(emu.reviews(change.number)).toHaveLength(0);
    expect(logger.text()).toContain("/gerrit/events/<redacted>");
    expect(logger.text()).not.toContain(TOKEN);
    expect(logger.text()).not.toContain(emu.password);
  });

  test("the token in `Authorization: Bearer` on /gerrit/events is the preferred form", async () => {
    const change = emu.createChange({ project: PROJECT, files: { "myservice/cmd/__init__.py": demo("after", "myservice/cmd/__init__.py") } });
    const response = await fetch(`${base}/gerrit/events`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify(emu.events.at(-1)) });
    expect(response.status).toBe(202);
    await queue.idle();
    expect(emu.reviews(change.number)).toHaveLength(1);
  });

  test("the token comparison is exact", () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.toUpperCase(), TOKEN)).toBe(false);
    expect(tokenMatches("", TOKEN)).toBe(false);
  });
});
