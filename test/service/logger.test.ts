/** The pino logger's scrubbing: no line carries a token, key, password or webhook secret. */
import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { createLogger } from "../../src/service/logger.js";

function capture(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", env, destination });
  return { logger, lines, text: () => lines.join("\n") };
}

const pem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const env = {
  WEBHOOK_SECRET: "whsec-It-s-a-Secret-to-Everybody",
  GERRIT_HTTP_PASSWORD: "gerrit-http-pass-77",
  GERRIT_WEBHOOK_TOKEN: "tok-3f9a0c1d2e4b5a6c",
  PRIVATE_KEY: pem.replace(/\n/g, "\\n"),
  REDIS_URL: "redis://default:redis-pass-99@cache:6379",
  APP_ID: "12345",
};

describe("logger redaction", () => {
  test("secret values from the environment are replaced wherever they appear", () => {
    const { logger, text } = capture(env);
    logger.info({ note: `secret ${env.WEBHOOK_SECRET}` }, "password is %s", env.GERRIT_HTTP_PASSWORD);
    logger.warn(`key:\n${pem}`);
    logger.error({ err: new Error(`connect to redis://default:redis-pass-99@cache:6379 failed (${env.GERRIT_WEBHOOK_TOKEN})`) }, "boom");
    const out = text();
    for (const secret of ["whsec-It-s-a-Secret-to-Everybody", "gerrit-http-pass-77", "tok-3f9a0c1d2e4b5a6c", "redis-pass-99"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).not.toMatch(/BEGIN RSA PRIVATE KEY|MII/);
    expect(out).toContain("[REDACTED]");
    // What is not secret survives.
    expect(out).toContain("connect to redis://default:[REDACTED]@cache:6379 failed");
    expect(out).toContain('"type":"Error"');
  });

  test("values under secret-looking keys, at any depth, child bindings included", () => {
    const { logger, lines } = capture({});
    const child = logger.child({ installationToken: "ghs_0123456789abcdefghijABCDEFGHIJ", repo: "org/repo" });
    child.info({
      request: { headers: { authorization: "token ghs_xxx", "x-hub-signature-256": "sha256=abc", accept: "application/json" } },
      config: { auth: { password: "p4ss", apiKey: "k3y", username: "bot" } },
      list: [{ client_secret: "s" }],
    });
    const record = JSON.parse(lines[0]!) as { [key: string]: unknown; request: { headers: unknown }; config: { auth: unknown }; list: unknown };
    expect(record.installationToken).toBe("[REDACTED]");
    expect(record.repo).toBe("org/repo");
    expect(record.request.headers).toEqual({ authorization: "[REDACTED]", "x-hub-signature-256": "[REDACTED]", accept: "application/json" });
    expect(record.config.auth).toEqual({ password: "[REDACTED]", apiKey: "[REDACTED]", username: "bot" });
    expect(record.list).toEqual([{ client_secret: "[REDACTED]" }]);
  });

  test("patterns: the Gerrit webhook token in URLs, URL passwords, bearer tokens, GitHub tokens, query secrets", () => {
    const { logger, text } = capture({});
    logger.info({ url: "https://bot.example.org/gerrit/events/abcdef0123456789?x=1" }, "POST /gerrit/events/zyx987654321 refused");
    logger.info("fetch https://bot:hunter2@review.example.org/a/changes/ with Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig");
    logger.info("token ghp_0123456789abcdefghijABCDEFGHIJ0123 and github_pat_11ABCDEFG0123456789_abcdefghijklmnop");
    logger.info("callback https://x.example/cb?code=deadbeef&state=ok&access_token=abc123");
    const out = text();
    for (const secret of ["abcdef0123456789", "zyx987654321", "hunter2", "eyJhbGciOiJSUzI1NiJ9", "ghp_0123", "github_pat_11", "deadbeef", "abc123"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("/gerrit/events/[REDACTED]?x=1");
    expect(out).toContain("https://bot:[REDACTED]@review.example.org/a/changes/");
    expect(out).toContain("state=ok");
  });
});

describe("logger keys", () => {
  /** A line's top-level keys, in order, duplicates kept (JSON.parse keeps only the last). */
  const topLevelKeys = (line: string) => {
    const out: string[] = [];
    let depth = 0;
    let inString = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        if (depth === 1 && (line[i - 1] === "{" || line[i - 1] === ",")) out.push(line.slice(i + 1, line.indexOf('"', i + 1)));
        inString = true;
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") depth--;
    }
    return out;
  };

  test("no line has a key twice: Probot's child names, a caller's level, a rebound key", () => {
    const { logger, lines } = capture({});
    // As Probot does: its logger is a child named "probot", its Octokit's a child of that.
    const probot = logger.child({ platform: "github" }).child({ name: "probot" });
    probot.child({ name: "octokit" }).warn({ level: "client-socket" }, "x");
    const job = logger.child({ component: "queue", eventId: "e1" });
    job.child({ component: "worker" }).info({ eventId: "e1", attempt: 2 }, "y");
    job.info({ eventId: "e2" }, "z");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const top = topLevelKeys(line);
      expect(top).toEqual([...new Set(top)]);
    }
    const [x, y, z] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(x).toMatchObject({ level: "warn", name: "eventlet-review/probot/octokit", platform: "github", _level: "client-socket", msg: "x" });
    expect(y).toMatchObject({ component: "worker", eventId: "e1", attempt: 2 });
    expect(y).not.toHaveProperty("_eventId");
    expect(z).toMatchObject({ eventId: "e1", _eventId: "e2" });
    expect(topLevelKeys(lines[0]!)).toEqual(["level", "time", "pid", "hostname", "name", "platform", "_level", "msg"]);
  });

  test("a child keeps its parent's level", () => {
    const { logger, lines } = capture({});
    const quiet = logger.child({ component: "a" }, { level: "warn" });
    quiet.child({ component: "b" }).info("hidden");
    quiet.child({ component: "b" }).warn("shown");
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["shown"]);
  });
});
