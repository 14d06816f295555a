/**
 * `npm start` as an operator meets it, in a child process: one clear line and exit 1 for bad settings
 * or no platform; with the Gerrit webhook endpoint configured it serves, logs JSON without secrets, and
 * exits 0 on SIGTERM.
 */
import { spawn } from "node:child_process";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/redis-server.js";

const MAIN = fileURLToPath(new URL("../../src/service/main.ts", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout };
}

describe("npm start", () => {
  test.each([
    [{}, /^eventlet-review: no platform is configured: set APP_ID, PRIVATE_KEY \(or PRIVATE_KEY_PATH\) and WEBHOOK_SECRET .*GERRIT_URL/],
    [{ PORT: "abc", REDIS_URL: "redis://:hunter2secret@cache:6379" }, /^eventlet-review: PORT must be a whole number \(got "abc"\)$/],
  ])("%o → one line on stderr, exit 1", async (env, expected) => {
    const run = await start(env as Record<string, string>).done;
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(run.stderr).not.toContain("hunter2secret");
  }, 60_000);

  test("serves, never logs a secret, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const token = "webhook-token-0123456789abcdef";
    const password = "gerrit-http-password-42";
    const app = start({
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "debug",
      GERRIT_URL: "http://127.0.0.1:9",
      GERRIT_USERNAME: "eventlet-bot",
      GERRIT_HTTP_PASSWORD: password,
      GERRIT_EVENTS: "webhook",
      GERRIT_WEBHOOK_TOKEN: token,
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`service did not become ready:\n${app.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok\n");
    // A wrong token and a right one with a body that is not an event: both are logged, neither leaks.
    expect((await fetch(`${base}/gerrit/events/not-${token}`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${base}/gerrit/events/${token}`, { method: "POST", body: "not json" })).status).toBe(400);
    expect((await fetch(`${base}/gerrit/events/${token}`, { method: "POST", body: "x".repeat(2 * 1024 * 1024) })).status).toBe(413);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^eventlet_review_http_requests_total\{handler="none",status="413"\} 1$/m);
    expect(metrics).toMatch(/^eventlet_review_process_resident_memory_bytes \d+/m);

    app.child.kill("SIGTERM");
    const run = await app.done;
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    const records = lines.map((line) => JSON.parse(line) as { msg: string; path?: string });
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(["eventlet-review service listening", "ready", "stopped"]));
    expect(records.some((r) => r.path === "/gerrit/events/[REDACTED]")).toBe(true);
    expect(run.stdout).not.toContain(token);
    expect(run.stdout).not.toContain(password);
    expect(run.stderr).toBe("");
  }, 90_000);

  /** A Redis that accepts connections and never answers (a hung server, a black-holing proxy). */
  async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("data", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  test.each([
    ["accepts and never answers", silentServer],
    ["refuses connections", async () => ({ port: await freePort(), close: async () => undefined })],
  ])("SIGTERM ends the service within SHUTDOWN_TIMEOUT_MS when Redis %s", async (_what, redis) => {
    const server = await redis();
    const port = await freePort();
    const app = start({
      PORT: String(port),
      HOST: "127.0.0.1",
      REDIS_URL: `redis://127.0.0.1:${server.port}`,
      SHUTDOWN_TIMEOUT_MS: "2000",
      GERRIT_URL: "http://127.0.0.1:9",
      GERRIT_USERNAME: "eventlet-bot",
      GERRIT_HTTP_PASSWORD: "gerrit-http-password-42",
      GERRIT_EVENTS: "webhook",
      GERRIT_WEBHOOK_TOKEN: "webhook-token-0123456789abcdef",
    });
    try {
      const deadline = Date.now() + 60_000;
      // Serving, and not ready: the queue waits for Redis.
      for (;;) {
        const readyz = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json() as Promise<{ waitingFor: string[] }>, () => undefined);
        if (readyz) {
          expect(readyz.waitingFor).toContain("job queue (Redis)");
          break;
        }
        if (Date.now() > deadline) throw new Error(`service did not listen:\n${app.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const signalled = Date.now();
      app.child.kill("SIGTERM");
      // Bounded here too, so a hang fails this test instead of holding jest open.
      const run = await Promise.race([app.done, new Promise<undefined>((resolve) => setTimeout(resolve, 15_000))]);
      const took = Date.now() - signalled;
      expect(run).toBeDefined();
      expect(run!.code).toBe(0);
      // 2 s of shutdown, and the process's own exit; 60 s and more before the bound.
      expect(took).toBeLessThan(2000 + 1500);
      const messages = run!.stdout.trimEnd().split("\n").map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.at(-1)).toBe("stopped");
    } finally {
      app.child.kill("SIGKILL");
      await server.close();
    }
  }, 90_000);
});
