/** The status page's HTML without a browser: escaping, links, the flag, the token check. */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { startService } from "../../../src/service/service.js";
import { loadSettings } from "../../../src/service/settings.js";
import { authorized } from "../../../src/service/status/handler.js";
import { CaptureLogger } from "../../support/capture-logger.js";
import { flagged, renderStatusPage, type StatusData } from "../../../src/service/status/page.js";

const now = new Date("2026-12-02T05:00:00Z");
const data = (over: Partial<StatusData> = {}): StatusData => ({
  now,
  queueKind: "memory",
  storeKind: "sqlite",
  reviews: [],
  depth: { waiting: 0, delayed: 0, active: 0 },
  deadLetters: [],
  rules: [],
  sections: [],
  flagRatio: 0.3,
  flagMinFindings: 5,
  windowDays: 30,
  ...over,
});
const stats = (rule: string, findings: number, notUsefulFindings: number) => ({ rule, findings, useful: 0, notUseful: notUsefulFindings, notUsefulFindings, ratio: notUsefulFindings / findings, reasons: [] });

test("every value is escaped, and only http(s) URLs become links", () => {
  const html = renderStatusPage(
    data({
      reviews: [
        { platform: "github", repository: "o/<b>r</b>", change: "1", revision: "a".repeat(40), url: "javascript:alert(1)", findings: 1, posted: 1, resolved: 0, durationMs: 10, at: now.toISOString() },
        { platform: "gerrit", repository: "p", change: "2", revision: "3", url: "https://review.example.org/c/p/+/2", findings: 0, posted: 0, resolved: 0, durationMs: 10, at: now.toISOString() },
      ],
      deadLetters: [{ job: { eventId: "e", platform: "github", repository: "o/r", change: "9", revision: "b".repeat(40), payload: {} }, error: "Error: <script>alert(1)</script>", attempts: 5, at: now.toISOString() }],
      rules: [{ ...stats("EVL301", 10, 4), reasons: [{ who: "<img src=x>", reason: "\"quoted\" & <tagged>", at: now.toISOString() }] }],
      sections: [{ title: "Gerrit <events>", rows: [{ label: "a&b", value: "<c>" }] }],
    }),
  );
  expect(html).not.toMatch(/<script>|<img|<b>r|<c>|<tagged>/);
  expect(html).toContain("Error: &lt;script&gt;alert(1)&lt;/script&gt;");
  expect(html).not.toContain('href="javascript:');
  expect(html).toContain('<a href="https://review.example.org/c/p/+/2">p 2</a>');
  expect(html).toContain("&quot;quoted&quot; &amp; &lt;tagged&gt;");
  expect(html).toContain('<tr class="flag"><td><b>EVL301</b> <span class="badge">flagged</span>');
});

test("a rule is flagged past the ratio once it has enough findings", () => {
  expect(flagged(stats("EVL301", 10, 4), 0.3, 5)).toBe(true);
  expect(flagged(stats("EVL301", 10, 3), 0.3, 5)).toBe(false); // at the threshold, not past it
  expect(flagged(stats("EVL301", 4, 4), 0.3, 5)).toBe(false); // too few findings to say
});

test("the token: Bearer, or the password of basic auth", () => {
  const token = "status-token-0123456789abcdef";
  const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;
  expect(authorized(`Bearer ${token}`, token)).toBe(true);
  expect(authorized(basic(`anyone:${token}`), token)).toBe(true);
  expect(authorized(basic(`${token}:`), token)).toBe(false);
  expect(authorized(`Bearer ${token}x`, token)).toBe(false);
  expect(authorized(token, token)).toBe(false);
  expect(authorized(undefined, token)).toBe(false);
});

describe("where /status answers", () => {
  const token = "status-token-0123456789abcdef";
  const start = async (extra: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "status-"));
    const env = { PORT: "0", HOST: "127.0.0.1", STATUS_TOKEN: token, DATABASE_PATH: join(dir, "s.sqlite"), ...extra };
    const svc = await startService({ settings: loadSettings(env), env, logger: new CaptureLogger(), factories: [async () => ({ platform: "github", runJob: async () => {} })] });
    await svc.started;
    return { svc, done: async () => (await svc.shutdown("test over"), rmSync(dir, { recursive: true, force: true })) };
  };
  const get = (url: string) => fetch(`${url}/status`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);

  test("on the main port without an operator port", async () => {
    const { svc, done } = await start({});
    expect(await get(svc.url)).toBe(200);
    await done();
  });

  test("with METRICS_PORT, on the operator port only, as /metrics", async () => {
    const { svc, done } = await start({ METRICS_PORT: "0" });
    expect(svc.metricsUrl).toBeDefined();
    expect(await get(svc.metricsUrl!)).toBe(200);
    expect(await get(svc.url)).toBe(404);
    expect((await fetch(`${svc.metricsUrl!}/status`)).status).toBe(401); // the token still holds there
    await done();
  });

  test("without STATUS_TOKEN there is no page", async () => {
    const { svc, done } = await start({ STATUS_TOKEN: "" });
    expect(await get(svc.url)).toBe(404);
    await done();
  });
});
