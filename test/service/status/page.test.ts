/**
 * /status in a real browser: Debian's chromium driven by puppeteer-core against the running service
 * (Gerrit emulator over real sockets, SQLite store). It lists the review just made and the dead letter
 * just forced, flags the rule someone called not useful, refuses without the token, and fits a 390 px
 * wide phone without horizontal scroll. The screenshot is kept in .artifacts/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { createGerritAdapter } from "../../../src/platforms/gerrit/index.js";
import { startService, type RunningService } from "../../../src/service/service.js";
import { loadSettings } from "../../../src/service/settings.js";
import { GerritEmulator } from "../../platforms/gerrit/emulator.js";
import { RecordingLogger, waitFor } from "../../platforms/gerrit/helpers.js";

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const PROJECT = "openstack/myservice";
const FILE = "myservice/cmd/__init__.py";
const TOKEN = "status-token-0123456789abcdef";
const demo = (side: "before" | "after") => readFileSync(join("fixtures/demo", side, FILE), "utf8");

const describeWithChromium = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;
if (!existsSync(CHROMIUM) && !process.env.CI) console.warn(`skipping the status page's browser test: ${CHROMIUM} not found (apt-get install chromium)`);

describeWithChromium("the status page in chromium", () => {
  let emu: GerritEmulator;
  let dir: string;
  let svc: RunningService;
  let browser: Browser;

  beforeAll(async () => {
    emu = new GerritEmulator();
    await emu.start();
    emu.setBranchFile(PROJECT, "master", FILE, demo("before"));
    dir = mkdtempSync(join(tmpdir(), "status-page-"));
    const env: NodeJS.ProcessEnv = {
      PORT: "0",
      HOST: "127.0.0.1",
      STATUS_TOKEN: TOKEN,
      FEEDBACK_FLAG_MIN_FINDINGS: "1",
      DATABASE_PATH: join(dir, "eventlet-review.sqlite"),
      QUEUE_RETRY_DELAY_MS: "10",
      GERRIT_URL: emu.httpUrl,
      GERRIT_USERNAME: emu.username,
      GERRIT_HTTP_PASSWORD: emu.password,
      GERRIT_STATE_FILE: join(dir, "state.json"),
      GERRIT_EVENTS: "webhook",
      GERRIT_WEBHOOK_TOKEN: "gerrit-webhook-token-0123456789abcdef",
      GERRIT_RECONCILE_SECONDS: "0",
    };
    svc = await startService({
      settings: loadSettings(env),
      env,
      logger: new RecordingLogger(),
      factories: [(e, deps) => createGerritAdapter(e, deps, { restBackoffMs: 10, reconcileMs: 0 })],
    });
    await svc.started;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: join(dir, "chromium-profile"),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.shutdown("test over");
    await emu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (event: unknown) =>
    fetch(`${svc.url}/gerrit/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer gerrit-webhook-token-0123456789abcdef" },
      body: JSON.stringify(event),
    });

  test("lists the review just made and the dead letter just forced, flags the dismissed rule, fits 390 px", async () => {
    // A review, and a "not useful" reply on one of its comments.
    const reviewed = emu.createChange({ project: PROJECT, files: { [FILE]: demo("after") } });
    expect((await send(emu.events.at(-1))).status).toBe(202);
    await waitFor(async () => (await svc.store!.recentReviews()).length === 1, 15_000, "the review in the store");
    const thread = emu.threads(reviewed.number)[0]!;
    const rule = /^\*\*(EVL\d{3})/.exec(thread.root.message)![1]!;
    emu.reply(reviewed.number, emu.alice, thread.root.id, "not useful: this is the Windows branch", true);
    await send(emu.comment(reviewed.number, emu.alice, "(1 comment)"));
    await waitFor(async () => (await svc.store!.ruleStats()).some((s) => s.notUseful === 1), 10_000, "the feedback");

    // A change Gerrit refuses to show (403: not retried) becomes a dead letter.
    emu.failNext("GET", /\/changes\/[^/]+$/, 403, 1, "not permitted to see this change");
    const refused = emu.createChange({ project: PROJECT, files: { [FILE]: demo("after") } });
    await send(emu.events.at(-1));
    await waitFor(async () => (await svc.queue.deadLetters()).length === 1, 15_000, "the dead letter");

    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 844 });
    await page.authenticate({ username: "operator", password: TOKEN });
    const response = await page.goto(`${svc.url}/status`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);

    const text = await page.$eval("body", (b) => (b as unknown as { innerText: string }).innerText);
    expect(text).toContain(`${PROJECT} ${reviewed.number}\ngerrit · PS 1`);
    const href = await page.$eval("#reviews a", (a) => a.getAttribute("href"));
    expect(href).toBe(`${emu.httpUrl}/c/${PROJECT}/+/${reviewed.number}`);
    expect(text).toContain(`gerrit ${PROJECT} ${refused.number}`);
    expect(text).toContain("not permitted to see this change");
    expect(text).toMatch(/1\s+dead letter\b/);
    expect(text).toContain("“this is the Windows branch”");
    expect(await page.$eval("#rules tr.flag b", (b) => b.textContent)).toBe(rule);
    expect(text).toContain("Gerrit events");
    expect(text).toContain("catch-up cursor");
    // Reloads itself.
    expect(await page.$eval('meta[http-equiv="refresh"]', (m) => m.getAttribute("content"))).toBe("30");

    const widths = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth };
    });
    expect(widths.client).toBe(390);
    expect(widths.scroll).toBeLessThanOrEqual(390);

    mkdirSync(".artifacts", { recursive: true });
    await page.screenshot({ path: ".artifacts/status-page.png", fullPage: true });
    await page.close();
  }, 90_000);

  test("refuses without the token, and with a wrong one", async () => {
    // A context of its own: the first test's page left its credentials in the default one.
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    // Chromium gets the 401's Basic challenge and, having no credentials to give, shows nothing.
    await expect(page.goto(`${svc.url}/status`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await page.authenticate({ username: "operator", password: "wrong-token-wrong-token" });
    await expect(page.goto(`${svc.url}/status`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await context.close();
    expect((await fetch(`${svc.url}/status`, { headers: { Authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    const basic = (password: string) => `Basic ${Buffer.from(`operator:${password}`).toString("base64")}`;
    expect((await fetch(`${svc.url}/status`, { headers: { Authorization: basic("nope") } })).status).toBe(401);
    const refused = await fetch(`${svc.url}/status`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect(await refused.text()).not.toContain("eventlet-review status");
    const ok = await fetch(`${svc.url}/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
