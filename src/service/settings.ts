/**
 * The service's own settings, read from the environment and validated once at start. The platforms read
 * their variables themselves (see registry.ts). A bad value gets one line naming the variable.
 */
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function int(min: number, max: number) {
  return z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

const schema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\/[^\s]+$/.test(v), { error: "must be a redis:// or rediss:// URL" })
    .optional(),
  /** `1`: allow a Redis that is not on this host without a password (a private network you trust). */
  REDIS_ALLOW_NO_AUTH: z.enum(["0", "1", "true", "false"], { error: "must be 1 or 0" }).default("0"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, { error: "may only hold letters, digits, '_', '.' and '-'" })
    .default("eventlet-review"),
  QUEUE_CONCURRENCY: int(1, 256).default(4),
  /** Attempts in all (the first run included) for a job that keeps failing with a transient error. */
  QUEUE_RETRY_ATTEMPTS: int(1, 100).default(5),
  QUEUE_RETRY_DELAY_MS: int(0, 3_600_000).default(2000),
  QUEUE_RETRY_MAX_DELAY_MS: int(0, 86_400_000).default(300_000),
  /** How long a delivery id is remembered; GitHub lets you redeliver for 3 days. */
  QUEUE_DEDUPE_TTL_SECONDS: int(1, 30 * 86_400).default(3 * 86_400),
  /** Redis mode: a job whose instance died is handed to another after this long. */
  QUEUE_LOCK_MS: int(1000, 3_600_000).default(30_000),
  WEBHOOK_BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  /** On SIGTERM, wait this long for running jobs before handing them back (Redis) or giving up. */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(9000),
  /** The store of reviews and feedback: PostgreSQL when set (several instances share it), else SQLite at DATABASE_PATH. */
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/\S+$/.test(v), { error: "must be a postgres:// or postgresql:// URL" })
    .optional(),
  DATABASE_PATH: z.string().min(1).default("eventlet-review.sqlite"),
  /** /status answers only with this token (Bearer, or the password of basic auth); unset: no status page. */
  /** Set: /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (metrics-access.ts). */
  METRICS_TOKEN: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  /** Set: /metrics is served on this operator port only (on METRICS_HOST), not on PORT. */
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  STATUS_TOKEN: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  /** A rule whose "not useful" ratio (30 days) passes this is flagged on the status page (never turned off). */
  FEEDBACK_FLAG_RATIO: z.coerce.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(1, { error: "must be at most 1" }).default(0.3),
  /** ...once it has at least this many findings in the window. */
  FEEDBACK_FLAG_MIN_FINDINGS: int(1, 1_000_000).default(5),
});

export type Settings = z.infer<typeof schema>;

/** A wrong or missing environment variable (the service's or a platform's): one line on stderr and exit 1, not a stack trace. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

const KEYS = Object.keys(schema.shape) as (keyof Settings)[];
/** Never echo these values back: a Redis URL may carry a password. */
const SECRET_VALUES = new Set<string>(["REDIS_URL", "DATABASE_URL", "STATUS_TOKEN", "METRICS_TOKEN"]);

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const input: Record<string, string> = {};
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") input[key] = value.trim();
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    const settings = parsed.data;
    if (settings.QUEUE_RETRY_MAX_DELAY_MS < settings.QUEUE_RETRY_DELAY_MS) {
      throw new SettingsError("QUEUE_RETRY_MAX_DELAY_MS must not be below QUEUE_RETRY_DELAY_MS");
    }
    if (settings.REDIS_URL) checkRedisAuth(settings.REDIS_URL, settings.REDIS_ALLOW_NO_AUTH === "1" || settings.REDIS_ALLOW_NO_AUTH === "true");
    return settings;
  }
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? "environment");
  const shown = SECRET_VALUES.has(name) || input[name] === undefined ? "" : ` (got "${input[name]}")`;
  throw new SettingsError(`${name} ${issue.message}${shown}`);
}

/** localhost, 127.0.0.0/8 and ::1: a Redis only this host reaches. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Whoever reaches the Redis can queue reviews and poison the dedupe and supersede keys, so a Redis on
 * another host must ask for a password (`redis://:password@host` or `redis://user:password@host`,
 * AUTH via the URL as ioredis reads it) unless REDIS_ALLOW_NO_AUTH says the network is trusted.
 */
function checkRedisAuth(url: string, allowNoAuth: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SettingsError("REDIS_URL must be a redis:// or rediss:// URL");
  }
  if (isLoopbackHost(parsed.hostname) || parsed.password !== "" || allowNoAuth) return;
  throw new SettingsError(
    `REDIS_URL points at ${parsed.hostname}, another host, without a password: put it in the URL (rediss://:<password>@${parsed.hostname}:${parsed.port || 6379}), or set REDIS_ALLOW_NO_AUTH=1 if only trusted hosts can reach that Redis`,
  );
}
