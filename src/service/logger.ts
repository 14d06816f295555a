/**
 * Structured logs (pino) that never carry a secret: every line is scrubbed on the way out, whatever a
 * caller passes. Values under secret-looking keys, the values of secret-looking environment variables,
 * URL credentials, the Gerrit webhook token in `/gerrit/events/<token>`, GitHub tokens and PEM keys are
 * replaced with `[REDACTED]`.
 */
import { pino, type DestinationStream, type Level, type Logger as PinoLogger } from "pino";

export const REDACTED = "[REDACTED]";

/** Keys whose values are always secret, at any depth (headers included). */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-hub-signature(-256)?|x-gitlab-token)$|(secret|token|password|passwd|passphrase|private_?key|privatekey|api_?key|credentials?)$/i;

/** Environment variables whose values are secrets wherever they appear in a log line. */
const SECRET_ENV = /(SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_KEY|API_KEY|CREDENTIALS?)$/;

const PATTERNS: [RegExp, string][] = [
  // The Gerrit webhook endpoint carries its token in the path.
  [/(\/gerrit\/events\/)[^/?#\s"']+/g, `$1${REDACTED}`],
  // user:password@ in URLs (Redis, Gerrit, proxies).
  [/([a-z][a-z0-9+.-]*:\/\/[^/:@\s"']*:)[^@/\s"']+@/gi, `$1${REDACTED}@`],
  // Secrets in query strings.
  [/([?&](?:access_token|token|secret|password|passwd|api_key|apikey|key|sig|signature|code)=)[^&#\s"']+/gi, `$1${REDACTED}`],
  // HTTP auth schemes.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  // GitHub tokens (installation, user, OAuth, refresh, fine-grained PATs).
  [/\bgh[opsur]_[A-Za-z0-9]{20,}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, REDACTED],
  // PEM private keys.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
];

export class Scrubber {
  private readonly values: string[];

  constructor(secretValues: Iterable<string> = []) {
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set(secretValues)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  }

  /** The secrets of an environment: values of variables named like secrets, and URL passwords. */
  static fromEnv(env: NodeJS.ProcessEnv): Scrubber {
    const values: string[] = [];
    for (const [name, value] of Object.entries(env)) {
      if (!value) continue;
      if (SECRET_ENV.test(name)) {
        values.push(value);
        // A PEM key may be logged with its newlines escaped, or line by line.
        if (value.includes("\\n")) values.push(value.replace(/\\n/g, "\n"));
        if (value.includes("\n")) values.push(value.replace(/\n/g, "\\n"));
      }
      const url = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:([^@/\s]+)@/i.exec(value);
      if (url) values.push(url[1]!, decodeURIComponentSafe(url[1]!));
    }
    return new Scrubber(values);
  }

  string(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /** A scrubbed copy of an error that pino still serializes as an error of the same type. */
  private error(err: Error, depth: number, seen: WeakSet<object>): Error {
    const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
    const own = Object.fromEntries(Object.entries(err));
    Object.assign(copy, this.value(own, depth + 1, seen));
    for (const key of ["name", "message", "stack"] as const) {
      if (typeof err[key] === "string") Object.defineProperty(copy, key, { value: this.string(err[key]), enumerable: false, writable: true });
    }
    if (err.cause !== undefined) Object.defineProperty(copy, "cause", { value: this.value(err.cause, depth + 1, seen), enumerable: false });
    return copy;
  }

  /** A scrubbed deep copy of a log object. */
  value(input: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (typeof input === "string") return this.string(input);
    if (input === null || typeof input !== "object") return input;
    if (depth > 10) return "[too deep]";
    if (seen.has(input)) return "[circular]";
    seen.add(input);
    if (input instanceof Error) return this.error(input, depth, seen);
    if (Buffer.isBuffer(input) || ArrayBuffer.isView(input)) return `[${input.byteLength} bytes]`;
    if (input instanceof Date) return input;
    if (Array.isArray(input)) return input.map((item) => this.value(item, depth + 1, seen));
    if (input instanceof Map) return this.value(Object.fromEntries(input), depth + 1, seen);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      out[key] = SECRET_KEY.test(key) && value !== undefined && value !== null && value !== "" ? REDACTED : this.value(value, depth + 1, seen);
    }
    return out;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface LoggerOptions {
  level: Level | "silent";
  env?: NodeJS.ProcessEnv;
  /** Where lines go (stdout by default); tests pass a stream to read them. */
  destination?: DestinationStream;
  name?: string;
}

/** Keys pino writes itself: a caller's value under one of them would make a second key on the line. */
const PINO_KEYS = new Set(["level", "time", "pid", "hostname", "msg", "name"]);

export function createLogger(options: LoggerOptions): PinoLogger {
  const scrubber = Scrubber.fromEnv(options.env ?? process.env);
  const base = pino(
    {
      level: options.level,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => scrubber.value(bindings) as Record<string, unknown>,
        log: (object) => scrubber.value(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((arg, i) => (typeof arg === "string" ? scrubber.string(arg) : i === 0 ? distinctKeys(arg, this) : arg));
          return method.apply(this, clean as Parameters<typeof method>);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // pino appends a child's bindings to its parent's, so a key bound twice (Probot binds `name` on each of
  // its children: "probot", "octokit", "event") would appear twice on every line. Every child is built
  // from `base` with one value per key instead; a child's `name` extends its parent's.
  const child = base.child;
  base.child = function (this: PinoLogger, bindings, childOptions) {
    const inherited = this.bindings();
    const merged: Record<string, unknown> = { ...inherited, ...(scrubber.value(bindings) as Record<string, unknown>) };
    if (typeof inherited.name === "string" && typeof merged.name === "string" && merged.name !== inherited.name) merged.name = `${inherited.name}/${merged.name}`;
    const made = child.call(base, merged as typeof bindings, childOptions);
    if (childOptions?.level === undefined && this.level !== base.level) made.level = this.level;
    return made;
  } as typeof base.child;
  return base.child({ name: options.name ?? "eventlet-review" });
}

/**
 * The first argument of a log call without keys the line already has: a key equal to a binding is
 * dropped; one that differs, or one pino writes itself (`level`, `name`...), is kept as `_<key>` (a
 * prefix, so secret-looking suffixes still redact).
 */
function distinctKeys(arg: unknown, logger: PinoLogger): unknown {
  if (typeof arg !== "object" || arg === null || Array.isArray(arg) || arg instanceof Error) return arg;
  const bindings = logger.bindings();
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(arg)) {
    const bound = Object.hasOwn(bindings, key);
    if (!bound && !PINO_KEYS.has(key)) continue;
    out ??= { ...(arg as Record<string, unknown>) };
    delete out[key];
    if (bound && !PINO_KEYS.has(key) && JSON.stringify(bindings[key]) === JSON.stringify(value)) continue;
    out[`_${key}`] = value;
  }
  return out ?? arg;
}
