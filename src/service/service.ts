/**
 * The service assembled: queue, metrics, platforms, HTTP server; and its orderly end (SIGTERM): refuse
 * new events, stop the platforms' event sources, let running jobs finish or hand them back, close.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Metrics } from "./metrics.js";
import type { Logger, PlatformAdapter, PlatformDeps } from "../platforms/adapter.js";
import { createQueue, type ServiceQueue } from "./queue/index.js";
import { createHttpServer, type Readiness } from "./server.js";
import { SettingsError, type Settings } from "./settings.js";
import { FeedbackLedger } from "./feedback.js";
import { statusHandler } from "./status/handler.js";
import { Store } from "./store/store.js";

export type AdapterFactory = (env: NodeJS.ProcessEnv, deps: PlatformDeps) => Promise<PlatformAdapter | undefined>;

/** Variables that turn each platform on, for the message printed when none is configured. */
export const PLATFORM_HINT =
  "no platform is configured: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET for the GitHub App, " +
  "and/or GERRIT_URL, GERRIT_USERNAME and GERRIT_HTTP_PASSWORD (plus GERRIT_EVENTS) for the Gerrit bot";

export interface ServiceOptions {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Platform factories (default: GitHub and Gerrit). */
  factories?: readonly AdapterFactory[];
  /** A queue of the caller's (default: from the settings). */
  queue?: ServiceQueue;
  metrics?: Metrics;
  /** The store of reviews and feedback (default: opened from the settings); false: none. */
  store?: Store | false;
}

export interface RunningService {
  server: Server;
  /** Base URL the server listens on, e.g. http://127.0.0.1:3000. */
  url: string;
  /** With METRICS_PORT: the operator port's base URL, e.g. http://127.0.0.1:9464. */
  metricsUrl?: string;
  queue: ServiceQueue;
  metrics: Metrics;
  adapters: readonly PlatformAdapter[];
  store?: Store;
  ledger?: FeedbackLedger;
  readiness(): Readiness;
  /** Resolves once the queue and the platforms are running (the server answers before that). */
  started: Promise<void>;
  shutdown(reason?: string): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { settings, logger } = options;
  const metrics = options.metrics ?? new Metrics();
  const queue = options.queue ?? createQueue(settings, logger.child({ component: "queue" }), metrics.observer);
  metrics.watchQueue(() => queue.depth());

  let store: Store | undefined;
  try {
    store = options.store === false ? undefined : (options.store ?? (await Store.open({ databaseUrl: settings.DATABASE_URL, sqlitePath: settings.DATABASE_PATH })));
  } catch (err) {
    await queue.close().catch(() => undefined);
    throw new SettingsError(`the store could not be opened (${settings.DATABASE_URL ? "DATABASE_URL" : `DATABASE_PATH ${settings.DATABASE_PATH}`}): ${firstLine(err)}`);
  }
  const ledger = store ? new FeedbackLedger(store, metrics.registry, logger.child({ component: "store" })) : undefined;
  const closeStore = async () => {
    if (store && options.store === undefined) await store.close().catch(() => undefined);
  };

  const adapters: PlatformAdapter[] = [];
  try {
    const factories = options.factories ?? (await import("./registry.js")).FACTORIES;
    for (const factory of factories) {
      const adapter = await factory(options.env, { queue, logger, hooks: metrics.hooks, ...(ledger ? { ledger } : {}) });
      if (adapter) adapters.push(adapter);
    }
  } catch (err) {
    await queue.close().catch(() => undefined);
    await closeStore();
    throw new SettingsError(firstLine(err));
  }
  if (adapters.length === 0) {
    await queue.close().catch(() => undefined);
    await closeStore();
    throw new SettingsError(PLATFORM_HINT);
  }
  for (const adapter of adapters) queue.handle(adapter.platform, (job, control) => adapter.runJob(job, control));

  let platformsStarted = false;
  let draining = false;
  const readiness = (): Readiness => {
    const waitingFor: string[] = [];
    if (draining) waitingFor.push("shutting down");
    if (!queue.ready()) waitingFor.push(queue.kind === "redis" ? "job queue (Redis)" : "job queue");
    if (!platformsStarted) waitingFor.push("platforms");
    // Each platform's own state: the GitHub App's credentials, the Gerrit stream.
    else waitingFor.push(...adapters.map((a) => a.waitingFor?.()).filter((w): w is string => Boolean(w)));
    return { ready: waitingFor.length === 0, waitingFor };
  };

  const metricsAccess = { METRICS_TOKEN: settings.METRICS_TOKEN, METRICS_PORT: settings.METRICS_PORT };
  // The status page goes with /metrics: on the operator port when there is one, else on the main port.
  const status = statusHandler({ settings, queue, adapters, store, logger: logger.child({ component: "status" }) });
  const server = createHttpServer({
    adapters,
    metrics,
    logger: logger.child({ component: "http" }),
    bodyLimit: settings.WEBHOOK_BODY_LIMIT_BYTES,
    readiness,
    draining: () => draining,
    ...(settings.METRICS_PORT === undefined ? { status } : {}),
    metricsAccess,
  });
  // The operator port: /metrics, /status, /healthz and /readyz only, on METRICS_HOST (loopback by default).
  const operator =
    settings.METRICS_PORT === undefined
      ? undefined
      : createHttpServer({ adapters: [], metrics, logger: logger.child({ component: "metrics" }), bodyLimit: 0, readiness, draining: () => false, metricsAccess, status, listener: "operator" });
  if (operator) {
    await new Promise<void>((resolve, reject) => {
      operator.once("error", reject);
      operator.listen(settings.METRICS_PORT, settings.METRICS_HOST, () => {
        operator.off("error", reject);
        resolve();
      });
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.PORT, settings.HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
  logger.info(
    { port: address.port, host: settings.HOST, platforms: adapters.map((a) => a.platform), queue: queue.kind, concurrency: settings.QUEUE_CONCURRENCY },
    "eventlet-review service listening",
  );

  const started = (async () => {
    await queue.start();
    for (const adapter of adapters) await adapter.start?.();
    platformsStarted = true;
    logger.info({ queue: queue.kind }, "ready");
  })();

  let stopping: Promise<void> | undefined;
  /**
   * The whole shutdown takes at most SHUTDOWN_TIMEOUT_MS, whatever Redis or a platform does: the queue
   * gets what is left of it for running jobs (less a margin to close connections); past the deadline
   * every connection is dropped and running jobs are handed back (BullMQ's locks lapse, as after a crash).
   */
  const shutdown = (reason = "shutdown") => {
    stopping ??= (async () => {
      draining = true;
      const timeoutMs = settings.SHUTDOWN_TIMEOUT_MS;
      const deadline = Date.now() + timeoutMs;
      const margin = Math.min(1000, Math.floor(timeoutMs / 5));
      const left = () => Math.max(0, deadline - margin - Date.now());
      logger.info({ reason, timeoutMs }, "shutting down: refusing new events, finishing running jobs");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let step = "waiting for the queue and platforms to start";
      const orderly = (async () => {
        // A start still waiting (Redis not answering) has nothing running to finish.
        await Promise.race([started.catch(() => undefined), sleep(left())]);
        for (const adapter of adapters) {
          step = `stopping ${adapter.platform}`;
          await adapter.stop?.().catch((err: unknown) => logger.warn({ err, platform: adapter.platform }, "platform did not stop cleanly"));
        }
        step = "closing the job queue";
        await queue.close(left());
        step = "closing the HTTP server";
        server.closeAllConnections();
        await closed;
        if (operator) {
          operator.closeAllConnections();
          await new Promise<void>((resolve) => operator.close(() => resolve()));
        }
        step = "closing the store";
        await closeStore();
      })();
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        orderly.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      if (!inTime) {
        logger.warn({ timeoutMs, step }, `shutdown out of time (${step}): connections dropped, running jobs handed back`);
        queue.abort();
        server.closeAllConnections();
        operator?.closeAllConnections();
        operator?.close();
        void closeStore();
      }
      logger.info("stopped");
    })();
    return stopping;
  };

  const operatorAddress = operator?.address() as AddressInfo | undefined;
  const metricsUrl = operatorAddress ? `http://${operatorAddress.family === "IPv6" ? `[${operatorAddress.address}]` : operatorAddress.address}:${operatorAddress.port}` : undefined;
  return { server, url, ...(metricsUrl ? { metricsUrl } : {}), queue, metrics, adapters, store, ledger, readiness, started, shutdown };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0]!.trim() || "platform configuration failed";
}
