/** The service's settings: defaults, and one line naming the variable for each bad value. */
import { SettingsError, loadSettings } from "../../src/service/settings.js";

function error(env: Record<string, string>): string {
  try {
    loadSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error("no error");
}

describe("service settings", () => {
  test("defaults", () => {
    expect(loadSettings({})).toEqual({
      PORT: 3000,
      HOST: "0.0.0.0",
      LOG_LEVEL: "info",
      REDIS_ALLOW_NO_AUTH: "0",
      METRICS_HOST: "127.0.0.1",
      QUEUE_PREFIX: "eventlet-review",
      QUEUE_CONCURRENCY: 4,
      QUEUE_RETRY_ATTEMPTS: 5,
      QUEUE_RETRY_DELAY_MS: 2000,
      QUEUE_RETRY_MAX_DELAY_MS: 300000,
      QUEUE_DEDUPE_TTL_SECONDS: 259200,
      QUEUE_LOCK_MS: 30000,
      WEBHOOK_BODY_LIMIT_BYTES: 1048576,
      SHUTDOWN_TIMEOUT_MS: 9000,
      DATABASE_PATH: "eventlet-review.sqlite",
      FEEDBACK_FLAG_RATIO: 0.3,
      FEEDBACK_FLAG_MIN_FINDINGS: 5,
    });
  });

  test("reads and converts values; blank means unset", () => {
    const s = loadSettings({ PORT: " 8080 ", LOG_LEVEL: "debug", REDIS_URL: "rediss://:pw@cache:6380/2", QUEUE_CONCURRENCY: "16", HOST: "" });
    expect(s).toMatchObject({ PORT: 8080, LOG_LEVEL: "debug", REDIS_URL: "rediss://:pw@cache:6380/2", QUEUE_CONCURRENCY: 16, HOST: "0.0.0.0" });
  });

  test.each([
    [{ PORT: "abc" }, 'PORT must be a whole number (got "abc")'],
    [{ DATABASE_URL: "mysql://u:secret@db/x" }, "DATABASE_URL must be a postgres:// or postgresql:// URL"],
    [{ STATUS_TOKEN: "short" }, "STATUS_TOKEN must be at least 16 characters"],
    [{ FEEDBACK_FLAG_RATIO: "1.5" }, 'FEEDBACK_FLAG_RATIO must be at most 1 (got "1.5")'],
    [{ PORT: "70000" }, 'PORT must be at most 65535 (got "70000")'],
    [{ LOG_LEVEL: "loud" }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ QUEUE_CONCURRENCY: "0" }, 'QUEUE_CONCURRENCY must be at least 1 (got "0")'],
    [{ QUEUE_CONCURRENCY: "1.5" }, 'QUEUE_CONCURRENCY must be a whole number (got "1.5")'],
    [{ QUEUE_PREFIX: "a b" }, "QUEUE_PREFIX may only hold letters, digits, '_', '.' and '-' (got \"a b\")"],
    [{ WEBHOOK_BODY_LIMIT_BYTES: "10" }, 'WEBHOOK_BODY_LIMIT_BYTES must be at least 1024 (got "10")'],
    [{ QUEUE_RETRY_DELAY_MS: "5000", QUEUE_RETRY_MAX_DELAY_MS: "100" }, "QUEUE_RETRY_MAX_DELAY_MS must not be below QUEUE_RETRY_DELAY_MS"],
  ])("%o → %s", (env, message) => {
    expect(error(env)).toBe(message);
  });

  test("a bad REDIS_URL is named without echoing it (it may hold a password)", () => {
    const message = error({ REDIS_URL: "http://user:hunter2@cache:6379" });
    expect(message).toBe("REDIS_URL must be a redis:// or rediss:// URL");
  });

  test("a Redis on another host needs a password in REDIS_URL, unless REDIS_ALLOW_NO_AUTH=1", () => {
    for (const url of ["redis://cache:6379", "rediss://10.0.0.5", "redis://user@cache", "redis://[fd00::1]:6379"]) {
      const message = error({ REDIS_URL: url });
      expect(message).toMatch(/^REDIS_URL points at .+, another host, without a password: put it in the URL \(rediss:\/\/:<password>@/);
      expect(message).toContain("REDIS_ALLOW_NO_AUTH=1");
      expect(loadSettings({ REDIS_URL: url, REDIS_ALLOW_NO_AUTH: "1" }).REDIS_URL).toBe(url);
    }
    // Loopback, or a password (AUTH, with or without an ACL user), is fine; TLS with rediss://.
    for (const url of ["redis://127.0.0.1:6390", "redis://localhost", "redis://[::1]:6379", "rediss://:s3cret@cache:6380/2", "redis://app:s3cret@cache"]) {
      expect(loadSettings({ REDIS_URL: url }).REDIS_URL).toBe(url);
    }
    expect(error({ REDIS_URL: "redis://:hunter2@cache", REDIS_ALLOW_NO_AUTH: "yes" })).toBe('REDIS_ALLOW_NO_AUTH must be 1 or 0 (got "yes")');
  });
});
