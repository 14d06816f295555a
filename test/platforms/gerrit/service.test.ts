/**
 * The Gerrit bot inside the real service (HTTP server, in-process queue, metrics, pino logger), fed by the
 * webhook endpoint and SSH stream-events of the emulator: the wiring an operator runs with `npm start`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createGerritAdapter } from "../../../src/platforms/gerrit/index.js";
import { createLogger } from "../../../src/service/logger.js";
import { startService, type RunningService } from "../../../src/service/service.js";
import { loadSettings } from "../../../src/service/settings.js";
import { GerritEmulator } from "./emulator.js";
import { waitFor } from "./helpers.js";

const PROJECT = "openstack/myservice";
const TOKEN = "service-level-webhook-token-abcdef0123456789";
const FILE = "myservice/cmd/__init__.py";
const demo = (side: "before" | "after") => readFileSync(join("fixtures/demo", side, FILE), "utf8");

let emu: GerritEmulator;
let dir: string;
const services: RunningService[] = [];
let logText = "";

function logger(env: NodeJS.ProcessEnv) {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  return createLogger({ level: "debug", env, destination });
}

async function service(extra: Record<string, string>): Promise<RunningService> {
  const env: NodeJS.ProcessEnv = {
    PORT: "0",
    HOST: "127.0.0.1",
    QUEUE_RETRY_DELAY_MS: "10",
    GERRIT_URL: emu.httpUrl,
    GERRIT_USERNAME: emu.username,
    GERRIT_HTTP_PASSWORD: emu.password,
    GERRIT_STATE_FILE: join(dir, `state-${services.length}.json`),
    ...extra,
  };
  const running = await startService({
    settings: loadSettings(env),
    env,
    logger: logger(env),
    factories: [(e, deps) => createGerritAdapter(e, deps, { restBackoffMs: 10, sshBackoffMs: 100 })],
  });
  services.push(running);
  await running.started;
  return running;
}

beforeAll(async () => {
  emu = new GerritEmulator();
  await emu.start();
  emu.setBranchFile(PROJECT, "master", FILE, demo("before"));
  dir = mkdtempSync(join(tmpdir(), "gerrit-service-"));
  writeFileSync(join(dir, "key"), emu.clientKey.private, { mode: 0o600 });
  writeFileSync(join(dir, "known_hosts"), `${emu.knownHostsLine()}\n`);
});

afterAll(async () => {
  for (const s of services) await s.shutdown("test over");
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("Gerrit bot in the service", () => {
  test("webhook → queue → review, with the metrics counted and no secret in the logs", async () => {
    const svc = await service({ GERRIT_EVENTS: "webhook", GERRIT_WEBHOOK_TOKEN: TOKEN });
    const change = emu.createChange({ project: PROJECT, files: { [FILE]: demo("after") } });
    const response = await fetch(`${svc.url}/gerrit/events/${TOKEN}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(emu.events.at(-1)) });
    expect(response.status).toBe(202);
    const refused = await fetch(`${svc.url}/gerrit/events/wrong-token-wrong-token`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(404);
    await waitFor(() => emu.reviews(change.number).length > 0, 15_000, "review");
    expect(emu.reviews(change.number)[0].body.labels).toEqual({ Verified: -1 });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toContain('eventlet_review_events_received_total{platform="gerrit",kind="patchset-created"} 1');
    expect(metrics).toContain('eventlet_review_reviews_posted_total{platform="gerrit"} 1');
    expect(metrics).toContain('eventlet_review_findings_total{platform="gerrit",rule="EVL104",severity="error"} 1');
    // Files that do not exist (no .eventlet-review.yaml, no parent __init__.py) are answers, not API errors.
    expect(metrics).not.toMatch(/eventlet_review_api_errors_total\{platform="gerrit"/);
    expect(logText).not.toContain(TOKEN);
    expect(logText).not.toContain(emu.password);
  });

  test("the token in an Authorization header; a missing or wrong one is refused before the body is read", async () => {
    const svc = await service({ GERRIT_EVENTS: "webhook", GERRIT_WEBHOOK_TOKEN: TOKEN });
    const change = emu.createChange({ project: PROJECT, files: { [FILE]: demo("after") } });
    const body = JSON.stringify(emu.events.at(-1));
    const ok = await fetch(`${svc.url}/gerrit/events`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` }, body });
    expect(ok.status).toBe(202);
    await waitFor(() => emu.reviews(change.number).length > 0, 15_000, "review");

    /** Sends the headers and 1 KiB of a 512 KiB body, then stalls: the answer must come while the body is unsent. */
    const stalled = (path: string, authorization?: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(svc.url);
        const socket = connect(Number(port), "127.0.0.1");
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer to ${path} while its body was still on its way`));
        }, 5000);
        let answer = "";
        socket.on("data", (chunk: Buffer) => {
          answer += chunk.toString();
          if (answer.includes("\r\n\r\n")) {
            clearTimeout(timer);
            socket.destroy();
            resolve(answer.split("\r\n")[0]!);
          }
        });
        socket.on("error", () => {});
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${512 * 1024}\r\n` +
            (authorization ? `Authorization: ${authorization}\r\n` : "") +
            "\r\n" +
            "x".repeat(1024),
        );
      });
    expect(await stalled("/gerrit/events")).toBe("HTTP/1.1 401 Unauthorized");
    expect(await stalled("/gerrit/events", "Bearer not-the-token-at-all")).toBe("HTTP/1.1 403 Forbidden");
    expect(await stalled("/gerrit/events", `Bearer ${TOKEN}x`)).toBe("HTTP/1.1 403 Forbidden");
    expect(await stalled(`/gerrit/events/${TOKEN.slice(1)}`)).toBe("HTTP/1.1 404 Not Found");
    expect(logText).not.toContain(TOKEN);
  });

  test("SSH stream-events → queue → review", async () => {
    const svc = await service({
      GERRIT_EVENTS: "ssh",
      GERRIT_SSH_HOST: "127.0.0.1",
      GERRIT_SSH_PORT: String(emu.sshPort),
      GERRIT_SSH_KEY_PATH: join(dir, "key"),
      GERRIT_SSH_KNOWN_HOSTS: join(dir, "known_hosts"),
    });
    await emu.waitForStreams(1);
    expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
    const change = emu.createChange({ project: PROJECT, files: { [FILE]: demo("after") } });
    await waitFor(() => emu.reviews(change.number).length > 0, 15_000, "review");
    expect(emu.reviews(change.number)).toHaveLength(1);
    expect(logText).not.toContain("PRIVATE KEY");
  });

  test("/readyz follows the stream: 503 while stream-events is refused or dropped, 200 once it is open", async () => {
    const readyz = async (svc: RunningService) => {
      const response = await fetch(`${svc.url}/readyz`);
      return { status: response.status, ...((await response.json()) as { waitingFor: string[] }) };
    };
    const streamsBefore = emu.openStreams;
    emu.refuseStreamEvents = true;
    const svc = await service({
      GERRIT_EVENTS: "ssh",
      GERRIT_SSH_HOST: "127.0.0.1",
      GERRIT_SSH_PORT: String(emu.sshPort),
      GERRIT_SSH_KEY_PATH: join(dir, "key"),
      GERRIT_SSH_KNOWN_HOSTS: join(dir, "known_hosts"),
    });
    try {
      await waitFor(async () => (await readyz(svc)).waitingFor.some((w) => w.includes("capability")), 10_000, "refusal");
      expect(await readyz(svc)).toMatchObject({
        status: 503,
        waitingFor: ['Gerrit stream-events (stream-events: fatal: eventlet-bot does not have "Stream Events" capability.)'],
      });
      emu.refuseStreamEvents = false;
      await waitFor(async () => (await readyz(svc)).status === 200, 10_000, "ready");
      emu.dropSsh();
      await waitFor(async () => (await readyz(svc)).status === 503, 10_000, "dropped");
      expect((await readyz(svc)).waitingFor).toEqual([expect.stringMatching(/^Gerrit stream-events \(/)]);
      await emu.waitForStreams(streamsBefore + 1);
      await waitFor(async () => (await readyz(svc)).status === 200, 10_000, "back");
    } finally {
      emu.refuseStreamEvents = false;
      await svc.shutdown("test over");
    }
  });
});
