/**
 * The Gerrit bot as a service platform: `createGerritAdapter(env, deps)` reads the GERRIT_* variables,
 * builds the REST client, the event source chosen by GERRIT_EVENTS (SSH stream-events or the webhooks
 * plugin's endpoint) and the job runner.
 */
import { readFileSync } from "node:fs";
import type { PlatformAdapter, PlatformDeps, ReviewJob } from "../adapter.js";
import { GerritBot } from "./bot.js";
import { GerritClient } from "./client.js";
import { hasHostEntry } from "./known-hosts.js";
import { readGerritSettings, redactToken } from "./settings.js";
import { SshEventStream } from "./ssh-events.js";
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
}

export interface GerritAdapter extends PlatformAdapter {
  platform: "gerrit";
  bot: GerritBot;
  /** The SSH event stream (GERRIT_EVENTS=ssh), once started. */
  stream?: SshEventStream;
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
    onError: (status) => deps.hooks.apiError("gerrit", status),
  });
  const bot = new GerritBot(settings, client, { ...deps, logger });

  let privateKey: string | undefined;
  let knownHosts: string | undefined;
  if (settings.events === "ssh") {
    privateKey = readFileOrThrow(settings.ssh.keyPath!, "GERRIT_SSH_KEY_PATH");
    knownHosts = readFileOrThrow(settings.ssh.knownHostsPath!, "GERRIT_SSH_KNOWN_HOSTS");
    if (!hasHostEntry(knownHosts, settings.ssh.host, settings.ssh.port)) {
      throw new Error(`GERRIT_SSH_KNOWN_HOSTS has no entry for ${settings.ssh.port === 22 ? settings.ssh.host : `[${settings.ssh.host}]:${settings.ssh.port}`}`);
    }
  }

  /** Server time (epoch s) of the newest event seen, to catch up after a `dropped-output` event. */
  let lastEventOn = Math.floor(Date.now() / 1000);
  const accept = async (input: string, via: "ssh" | "webhook") => {
    const outcome = await bot.acceptEvent(input, via);
    const created = /"eventCreatedOn"\s*:\s*(\d+)/.exec(input)?.[1];
    if (outcome === "catch-up") {
      logger.warn({ via }, "Gerrit reported dropped events; catching up");
      if (adapter.stream) adapter.stream.catchUp(lastEventOn - 120); // retried until it succeeds
      else void bot.catchUp(lastEventOn - 120).catch((error: unknown) => logger.error({ error: (error as Error).message }, "Gerrit catch-up failed"));
    } else if (created) {
      lastEventOn = Math.max(lastEventOn, Number(created));
    }
    return outcome;
  };

  const adapter: GerritAdapter = {
    platform: "gerrit",
    bot,
    async runJob(job: ReviewJob) {
      await bot.runJob(job);
    },
  };

  if (settings.events === "webhook") {
    const handler = webhookHandler(settings.webhookToken!, logger, (body) => accept(body, "webhook"));
    adapter.handleHttp = handler;
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
        startupCatchUpSince: Math.floor(Date.now() / 1000) - (options.startupCatchUpSeconds ?? 600),
        onLine: (line) => accept(line, "ssh"),
        onGap: (since) => bot.catchUp(since),
      });
      adapter.stream.start();
    };
    adapter.stop = async () => {
      await adapter.stream?.stop();
    };
  }
  logger.info({ url: redactToken(settings.url, settings.webhookToken), events: settings.events, label: settings.label }, "Gerrit bot configured");
  return adapter;
}
