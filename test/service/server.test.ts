/**
 * The service over real HTTP on a loopback port, with a small platform of the test's own behind the
 * PlatformAdapter seam: routes, body limit, metrics text, readiness, graceful shutdown.
 */
import { request, type IncomingMessage } from "node:http";
import type { Finding } from "../../src/model/finding.js";
import { type PlatformAdapter, type PlatformDeps, type ReviewJob, TransientError } from "../../src/platforms/adapter.js";
import { readBody } from "../../src/service/http.js";
import { metricsRefusal } from "../../src/service/metrics-access.js";
import { Metrics } from "../../src/service/metrics.js";
import { startService, type RunningService } from "../../src/service/service.js";
import { SettingsError } from "../../src/service/settings.js";
import { loadSettings } from "../../src/service/settings.js";
import { CaptureLogger } from "../support/capture-logger.js";
import { describeWithRedis, startRedis } from "../support/redis-server.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  url: string,
  options: { method?: string; body?: string | Buffer; headers?: Record<string, string>; chunked?: boolean; agent?: false } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        // No Content-Length: the server must count as it reads.
        const buf = Buffer.from(options.body);
        for (let i = 0; i < buf.length; i += 64 * 1024) req.write(buf.subarray(i, i + 64 * 1024));
      } else {
        req.write(options.body);
      }
    }
    req.end();
  });
}

const finding = (rule: string, severity: Finding["severity"]): Finding => ({
  rule,
  name: "x",
  severity,
  path: "a.py",
  message: "m",
  section: { title: "t", url: "https://example.invalid" },
  line: 1,
  column: 1,
  endLine: 1,
  endColumn: 2,
});

/** A platform that takes `POST /fake/events` (JSON `{id, change, revision, fail?}`) and "reviews" jobs. */
function fakePlatform(deps: PlatformDeps, control: { gate?: Promise<void>; ran: ReviewJob[] }): PlatformAdapter {
  return {
    platform: "github",
    async handleHttp(req, res) {
      if (!req.url?.startsWith("/fake/")) return false;
      if (req.url === "/fake/boom") throw new Error("handler exploded");
      const event = JSON.parse((await readBody(req)).toString()) as { id: string; change: string; revision: string; fail?: string };
      deps.hooks.eventReceived("github", "pull_request.synchronize");
      const result = await deps.queue.submit({
        eventId: event.id,
        platform: "github",
        repository: "org/repo",
        change: event.change,
        revision: event.revision,
        payload: { fail: event.fail ?? null },
      });
      res.writeHead(result.accepted ? 202 : 200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(result));
      return true;
    },
    async runJob(job) {
      await control.gate;
      if (job.payload.fail === "transient") {
        deps.hooks.apiError("github", "http:502");
        throw new TransientError("502 from GitHub");
      }
      deps.hooks.analysisSeconds("github", 0.2);
      deps.hooks.reviewPosted("github", [finding("EVL101", "error"), finding("EVL201", "warning"), finding("EVL201", "warning")]);
      control.ran.push(job);
    },
  };
}

const settings = (extra: Record<string, string> = {}) =>
  loadSettings({ PORT: "0", HOST: "127.0.0.1", WEBHOOK_BODY_LIMIT_BYTES: "2048", QUEUE_RETRY_DELAY_MS: "5", QUEUE_RETRY_MAX_DELAY_MS: "10", QUEUE_RETRY_ATTEMPTS: "2", ...extra });

describe("service HTTP server", () => {
  let service: RunningService;
  let control: { gate?: Promise<void>; ran: ReviewJob[] };
  let logger: CaptureLogger;

  beforeEach(async () => {
    control = { ran: [] };
    logger = new CaptureLogger();
    service = await startService({
      settings: settings(),
      env: {},
      logger,
      metrics: new Metrics({ defaultMetrics: false }),
      factories: [async (_env, deps) => fakePlatform(deps, control), async () => undefined],
    });
    await service.started;
  });
  afterEach(async () => {
    await service.shutdown();
  });

  test("/healthz and /readyz", async () => {
    expect(await call(`${service.url}/healthz`)).toMatchObject({ status: 200, body: "ok\n" });
    const ready = await call(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, waitingFor: [] });
  });

  test("dispatches to the platform, 404 for paths nobody takes, 500 when a handler throws", async () => {
    const body = JSON.stringify({ id: "d1", change: "1", revision: "a" });
    const first = await call(`${service.url}/fake/events`, { method: "POST", body });
    expect(first.status).toBe(202);
    const again = await call(`${service.url}/fake/events`, { method: "POST", body });
    expect(JSON.parse(again.body)).toEqual({ accepted: false, reason: "duplicate" });
    await service.queue.idle();
    expect(control.ran.map((j) => j.eventId)).toEqual(["d1"]);

    expect((await call(`${service.url}/nowhere`)).status).toBe(404);
    expect((await call(`${service.url}/fake/boom`, { method: "POST", body: "{}" })).status).toBe(500);
    expect(logger.lines.some((l) => l.level === "error" && l.msg === "request failed")).toBe(true);
  });

  test("refuses bodies over the limit with 413, declared or chunked", async () => {
    const big = JSON.stringify({ id: "big", change: "1", revision: "a", pad: "x".repeat(4096) });
    expect((await call(`${service.url}/fake/events`, { method: "POST", body: big })).status).toBe(413);
    expect((await call(`${service.url}/fake/events`, { method: "POST", body: "y".repeat(300_000), chunked: true })).status).toBe(413);
    // Just under the limit passes.
    const fits = JSON.stringify({ id: "fits", change: "2", revision: "a", pad: "x".repeat(1900) });
    expect((await call(`${service.url}/fake/events`, { method: "POST", body: fits })).status).toBe(202);
    await service.queue.idle();
    expect(control.ran.map((j) => j.eventId)).toEqual(["fits"]);
  });

  test("/metrics carries events, reviews, findings by rule, latencies, API errors and queue depth", async () => {
    await call(`${service.url}/fake/events`, { method: "POST", body: JSON.stringify({ id: "m1", change: "1", revision: "a" }) });
    await call(`${service.url}/fake/events`, { method: "POST", body: JSON.stringify({ id: "m1", change: "1", revision: "a" }) });
    await call(`${service.url}/fake/events`, { method: "POST", body: JSON.stringify({ id: "m2", change: "2", revision: "a", fail: "transient" }) });
    await service.queue.idle();
    const metrics = await call(`${service.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.body;
    const has = (line: string) => expect(text.split("\n")).toContain(line);
    has('eventlet_review_events_received_total{platform="github",kind="pull_request.synchronize"} 3');
    has('eventlet_review_jobs_submitted_total{platform="github",result="accepted"} 2');
    has('eventlet_review_jobs_submitted_total{platform="github",result="duplicate"} 1');
    has('eventlet_review_reviews_posted_total{platform="github"} 1');
    has('eventlet_review_findings_total{platform="github",rule="EVL101",severity="error"} 1');
    has('eventlet_review_findings_total{platform="github",rule="EVL201",severity="warning"} 2');
    has('eventlet_review_api_errors_total{platform="github",error="http:502"} 2');
    has('eventlet_review_analysis_duration_seconds_bucket{le="0.25",platform="github"} 1');
    has('eventlet_review_analysis_duration_seconds_count{platform="github"} 1');
    has('eventlet_review_event_to_review_seconds_count{platform="github",outcome="completed"} 1');
    has('eventlet_review_event_to_review_seconds_count{platform="github",outcome="dead_letter"} 1');
    has('eventlet_review_jobs_total{platform="github",outcome="retried"} 1');
    has('eventlet_review_queue_jobs{state="waiting"} 0');
    has('eventlet_review_queue_jobs{state="active"} 0');
  });

  test("/metrics is for this host by default: a client on the network gets 403 saying what to set", () => {
    const req = (remoteAddress: string, authorization?: string) => ({ socket: { remoteAddress }, headers: authorization ? { authorization } : {} }) as unknown as IncomingMessage;
    for (const local of ["127.0.0.1", "127.9.0.3", "::1", "::ffff:127.0.0.1"]) expect(metricsRefusal(req(local), {}, "main")).toBeUndefined();
    for (const remote of ["10.0.0.5", "172.17.0.1", "::ffff:192.168.1.2", "fe80::1", "128.0.0.1"]) {
      expect(metricsRefusal(req(remote), {}, "main")).toEqual({ status: 403, text: "metrics are served to this host only: set METRICS_TOKEN, or METRICS_PORT for an operator port" });
    }
    const token = "metrics-token-0123456789";
    expect(metricsRefusal(req("10.0.0.5", `Bearer ${token}`), { METRICS_TOKEN: token }, "main")).toBeUndefined();
    // With a token, loopback needs it too (a reverse proxy on this host would otherwise expose it).
    expect(metricsRefusal(req("127.0.0.1"), { METRICS_TOKEN: token }, "main")?.status).toBe(401);
    expect(metricsRefusal(req("10.0.0.5", `Bearer ${token}x`), { METRICS_TOKEN: token }, "main")?.status).toBe(401);
    expect(metricsRefusal(req("10.0.0.5"), { METRICS_PORT: 9464 }, "operator")).toBeUndefined();
    expect(metricsRefusal(req("127.0.0.1"), { METRICS_PORT: 9464 }, "main")?.status).toBe(404);
  });

  test("SIGTERM's shutdown: 503 for new events and /readyz, the running job finishes, then the server closes", async () => {
    let release!: () => void;
    control.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await call(`${service.url}/fake/events`, { method: "POST", body: JSON.stringify({ id: "s1", change: "1", revision: "a" }) });
    const url = service.url;
    // A webhook whose body is still on its way when the shutdown begins.
    const late = new Promise<Reply>((resolve, reject) => {
      const req = request(`${url}/fake/events`, { method: "POST", agent: false, headers: { "Content-Length": "60" } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: "" }));
      });
      req.on("error", reject);
      req.write("{");
      setTimeout(() => req.end(JSON.stringify({ id: "late", change: "2", revision: "a" }).slice(1).padEnd(59)), 150);
    });
    await new Promise((r) => setTimeout(r, 50));
    let shutDown = false;
    const stopping = service.shutdown("test").then(() => {
      shutDown = true;
    });
    // The listening socket is closed at once.
    await expect(call(`${url}/healthz`, { agent: false })).rejects.toThrow(/ECONNREFUSED/);
    expect(service.readiness()).toEqual({ ready: false, waitingFor: ["shutting down", "job queue"] });
    expect((await late).status).toBe(503);
    await new Promise((r) => setTimeout(r, 100));
    expect(shutDown).toBe(false);
    release();
    await stopping;
    expect(control.ran.map((j) => j.eventId)).toEqual(["s1"]);
  });
});

describeWithRedis("service shutdown with Redis", () => {
  test("a Redis that stops answering while a job runs: the shutdown still ends within SHUTDOWN_TIMEOUT_MS", async () => {
    const redis = await startRedis();
    const control: { gate?: Promise<void>; ran: ReviewJob[] } = { ran: [], gate: new Promise<void>(() => undefined) };
    const logger = new CaptureLogger();
    const service = await startService({
      settings: settings({ REDIS_URL: redis.url, SHUTDOWN_TIMEOUT_MS: "1500", QUEUE_LOCK_MS: "5000" }),
      env: {},
      logger,
      metrics: new Metrics({ defaultMetrics: false }),
      store: false,
      factories: [async (_env, deps) => fakePlatform(deps, control)],
    });
    try {
      await service.started;
      await call(`${service.url}/fake/events`, { method: "POST", body: JSON.stringify({ id: "r1", change: "1", revision: "a" }) });
      for (let i = 0; (await service.queue.depth()).active === 0; i++) {
        if (i > 200) throw new Error("the job never started");
        await new Promise((r) => setTimeout(r, 25));
      }
      process.kill(redis.pid, "SIGSTOP"); // accepts, never answers
      const began = Date.now();
      let done = false;
      await Promise.race([service.shutdown("test").then(() => (done = true)), new Promise((r) => setTimeout(r, 10_000))]);
      expect(done).toBe(true);
      expect(Date.now() - began).toBeLessThan(1500 + 500);
      // The running job is handed back (by the queue's own wait, or by the deadline), then the service stops.
      const messages = logger.lines.map((l) => l.msg);
      expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/handed back/)]));
      expect(messages.at(-1)).toBe("stopped");
    } finally {
      await redis.stop();
    }
  }, 30_000);
});

describe("service start", () => {
  test("with no platform configured it names what to set", async () => {
    const err = await startService({ settings: settings(), env: {}, logger: new CaptureLogger(), factories: [async () => undefined] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as Error).message).toMatch(/^no platform is configured: set APP_ID, PRIVATE_KEY .* GERRIT_URL/);
  });

  test("a platform's configuration error becomes one line", async () => {
    const err = await startService({
      settings: settings(),
      env: {},
      logger: new CaptureLogger(),
      factories: [
        async () => {
          throw new Error("GERRIT_URL must be an http(s) URL\n    at somewhere");
        },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as Error).message).toBe("GERRIT_URL must be an http(s) URL");
  });
});

describe("/metrics behind METRICS_TOKEN or on METRICS_PORT", () => {
  const started: RunningService[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.shutdown();
  });
  const start = async (extra: Record<string, string>) => {
    const s = await startService({ settings: settings(extra), env: {}, logger: new CaptureLogger(), metrics: new Metrics({ defaultMetrics: false }), factories: [async (_env, deps) => fakePlatform(deps, { ran: [] })] });
    started.push(s);
    return s;
  };

  test("METRICS_TOKEN: a Bearer token is required", async () => {
    const s = await start({ METRICS_TOKEN: "metrics-token-0123456789" });
    const refused = await call(`${s.url}/metrics`);
    expect([refused.status, refused.headers["www-authenticate"]]).toEqual([401, 'Bearer realm="metrics"']);
    expect((await call(`${s.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const ok = await call(`${s.url}/metrics`, { headers: { Authorization: "Bearer metrics-token-0123456789" } });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("eventlet_review_");
  });

  test("METRICS_PORT: an operator port on loopback serves /metrics, /healthz and /readyz; PORT no longer serves /metrics", async () => {
    const s = await start({ METRICS_PORT: "0" });
    expect(s.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.metricsUrl).not.toBe(s.url);
    expect((await call(`${s.url}/metrics`)).status).toBe(404);
    expect((await call(`${s.metricsUrl}/metrics`)).status).toBe(200);
    expect((await call(`${s.metricsUrl}/healthz`)).status).toBe(200);
    expect((await call(`${s.metricsUrl}/fake/events`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await call(`${s.metricsUrl}/status`)).status).toBe(404);
  });
});
