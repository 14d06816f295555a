/**
 * The Gerrit bot as a service platform: `createGerritAdapter(env, deps)` reads the GERRIT_* variables,
 * builds the REST client, the event source chosen by GERRIT_EVENTS (SSH stream-events or the webhooks
 * plugin's endpoint), the job runner, and the event cursor (Redis with REDIS_URL, else a state file)
 * from which it catches up on start, after a reconnect or `dropped-output`, and, for webhooks, on a timer.
 */
import { readFileSync } from "node:fs";
import type { PlatformAdapter, PlatformDeps, ReviewJob } from "../adapter.js";
import { DEFAULT_RECHECK_LIMITS, GerritBot } from "./bot.js";
import { GerritClient } from "./client.js";
import { EventCursor } from "./cursor.js";
import { FileStateStore, RedisStateStore, type StateStore } from "./state-store.js";
import { hasHostEntry } from "./known-hosts.js";
import { RedisRecheckLimiter } from "../recheck-limit.js";
import { readGerritSettings, redactToken } from "./settings.js";
import { SshEventStream } from "./ssh-events.js";
import { eventStatus } from "./status.js";
import { webhookHandler } from "./webhook.js";

export { GerritBot } from "./bot.js";
export { GerritClient } from "./client.js";
export { readGerritSettings, redactToken } from "./settings.js";

/** Knobs for tests and tuning; the environment covers everything an operator sets. */
export interface GerritAdapterOptions {
  /** REST: attempts per request and first backoff (ms). */
  restAttempts?: number;
  restBackoffMs?: number;
  restTimeoutMs?: number;
  /** SSH: first reconnect delay (ms). */
  sshBackoffMs?: number;
  /** SSH: on the first connection, catch up on changes updated this many seconds before start (default 600). */
  startupCatchUpSeconds?: number;
  /** SSH: first delay before retrying a failed catch-up (ms, default 30 s). */
  catchUpRetryMs?: number;
  /** The bot's clock, epoch seconds (tests share the emulator's simulated clock). */
  now?: () => number;
  /** Wait before re-posting a review Gerrit did not apply (ms). */
  postRetryMs?: number;
  /** Webhook mode: ms between reconciliations (default GERRIT_RECONCILE_SECONDS). */
  reconcileMs?: number;
}

/** Seconds a catch-up looks back before the cursor: clock skew, events in flight. */
const SLACK_SECONDS = 120;

export interface GerritAdapter extends PlatformAdapter {
  platform: "gerrit";
  bot: GerritBot;
  /** The SSH event stream (GERRIT_EVENTS=ssh), once started. */
  stream?: SshEventStream;
  cursor: EventCursor;
  /** Webhook mode: one reconciliation now (the timer runs it every GERRIT_RECONCILE_SECONDS). */
  reconcile(): Promise<number>;
}

function readFileOrThrow(path: string, variable: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${variable} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function createGerritAdapter(
  env: NodeJS.ProcessEnv,
  deps: PlatformDeps,
  options: GerritAdapterOptions = {},
): Promise<GerritAdapter | undefined> {
  const settings = readGerritSettings(env);
  if (!settings) return undefined;
  const logger = deps.logger.child({ platform: "gerrit" });
  const client = new GerritClient({
    url: settings.url,
    username: settings.username,
    password: settings.httpPassword,
    attempts: options.restAttempts,
    backoffMs: options.restBackoffMs,
    timeoutMs: options.restTimeoutMs,
    onError: (failure) => deps.hooks.apiError("gerrit", failure),
  });
  const store: StateStore = env.REDIS_URL
    ? new RedisStateStore(env.REDIS_URL, `${env.QUEUE_PREFIX || "eventlet-review"}:gerrit-state:${new URL(settings.url).host}`)
    : new FileStateStore(settings.stateFile);
  // With Redis the queue is BullMQ on the same server: queued jobs survive a restart.
  const cursor = new EventCursor(store, logger, store.kind === "redis");
  // With Redis, every instance counts rechecks together (webhooks may reach any of them).
  const recheckLimiter = env.REDIS_URL ? new RedisRecheckLimiter(env.REDIS_URL, `${env.QUEUE_PREFIX || "eventlet-review"}:gerrit:recheck`, DEFAULT_RECHECK_LIMITS) : undefined;
  const bot = new GerritBot(settings, client, { ...deps, logger }, cursor, { retryDelayMs: options.postRetryMs, ...(recheckLimiter ? { recheckLimiter } : {}) });
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  let privateKey: string | undefined;
  let knownHosts: string | undefined;
  if (settings.events === "ssh") {
    privateKey = readFileOrThrow(settings.ssh.keyPath!, "GERRIT_SSH_KEY_PATH");
    knownHosts = readFileOrThrow(settings.ssh.knownHostsPath!, "GERRIT_SSH_KNOWN_HOSTS");
    if (!hasHostEntry(knownHosts, settings.ssh.host, settings.ssh.port)) {
      throw new Error(`GERRIT_SSH_KNOWN_HOSTS has no entry for ${settings.ssh.port === 22 ? settings.ssh.host : `[${settings.ssh.host}]:${settings.ssh.port}`}`);
    }
  }

  /** Where a catch-up starts: the cursor (however old), else ten minutes back (a first start). */
  const catchUpSince = (fallback = now() - (options.startupCatchUpSeconds ?? 600)) => {
    const at = cursor.value;
    return at === undefined ? fallback : Math.min(at - SLACK_SECONDS, fallback);
  };
  let lastEventAt: Date | undefined;
  const accept = async (input: string, via: "ssh" | "webhook") => {
    lastEventAt = new Date();
    const outcome = await bot.acceptEvent(input, via);
    if (outcome === "catch-up") {
      logger.warn({ via }, "Gerrit reported dropped events; catching up");
      const since = catchUpSince(now() - SLACK_SECONDS);
      if (adapter.stream) adapter.stream.catchUp(since); // retried until it succeeds
      else void bot.catchUp(since).catch((error: unknown) => logger.error({ error: (error as Error).message }, "Gerrit catch-up failed"));
    }
    return outcome;
  };

  let reconcileTimer: NodeJS.Timeout | undefined;
  const adapter: GerritAdapter = {
    platform: "gerrit",
    bot,
    cursor,
    async runJob(job: ReviewJob) {
      await bot.runJob(job);
    },
    /**
     * Webhooks can be lost (the plugin gives up, we were down), and nothing says so: ask Gerrit for the
     * changes updated since the last reconciliation (or the cursor) and replay what is owed.
     */
    async reconcile() {
      const started = now();
      const from = cursor.reconciled === undefined ? catchUpSince() : Math.min(cursor.reconciled - SLACK_SECONDS, catchUpSince(started));
      const submitted = await bot.catchUp(from);
      cursor.reconciledUpTo(started);
      return submitted;
    },
  };

  await cursor.load().catch((error: unknown) => {
    // A missing or unreadable state costs a look-back of ten minutes, not the service.
    logger.error({ error: (error as Error).message, store: store.kind }, "Gerrit event cursor could not be read; catching up from ten minutes back");
  });

  if (settings.events === "webhook") {
    const endpoint = webhookHandler(settings.webhookToken!, logger, (body) => accept(body, "webhook"));
    adapter.refuseEarly = endpoint.refuseEarly;
    adapter.handleHttp = endpoint.handleHttp;
    adapter.start = async () => {
      const run = () =>
        adapter.reconcile().catch((error: unknown) => logger.error({ error: (error as Error).message }, "Gerrit reconciliation failed; the next one retries"));
      void run();
      const every = options.reconcileMs ?? settings.reconcileSeconds * 1000;
      if (every > 0) {
        reconcileTimer = setInterval(() => void run(), every);
        reconcileTimer.unref();
      }
    };
    adapter.stop = async () => {
      clearInterval(reconcileTimer);
      await cursor.flush();
      await store.close();
      await recheckLimiter?.close();
    };
  } else {
    adapter.start = async () => {
      adapter.stream ??= new SshEventStream({
        host: settings.ssh.host,
        port: settings.ssh.port,
        username: settings.ssh.user,
        privateKey: privateKey!,
        knownHosts: knownHosts!,
        logger,
        backoffMs: options.sshBackoffMs,
        catchUpRetryMs: options.catchUpRetryMs,
        startupCatchUpSince: catchUpSince(),
        onLine: (line) => accept(line, "ssh"),
        // The stream's own gap (wall clock) or the cursor (Gerrit's clock), whichever is older.
        onGap: (since) => bot.catchUp(catchUpSince(since)),
      });
      adapter.stream.start();
    };
    // Ready while the stream is open: events sent while it is down wait for the catch-up after it returns.
    adapter.waitingFor = () => {
      const stream = adapter.stream;
      if (!stream || stream.connected) return undefined;
      return `Gerrit stream-events (${stream.lastError ?? "connecting"})`;
    };
    adapter.stop = async () => {
      await adapter.stream?.stop();
      await cursor.flush();
      await store.close();
      await recheckLimiter?.close();
    };
  }
  adapter.status = async () => eventStatus({ events: settings.events, stream: adapter.stream, lastEventAt, cursor: cursor.value, reconciled: cursor.reconciled });
  logger.info({ url: redactToken(settings.url, settings.webhookToken), events: settings.events, label: settings.label }, "Gerrit bot configured");
  return adapter;
}
