/**
 * `gerrit stream-events` over SSH (ssh2): one JSON event per line. The stream is unreliable by nature
 * (Zuul's lesson): it reconnects with exponential backoff and, after every gap, asks `onGap` to catch up
 * through REST from the last moment the stream was known to be live. The host key must match
 * GERRIT_SSH_KNOWN_HOSTS.
 */
import ssh2 from "ssh2";
import type { Logger } from "../adapter.js";
import { knownHostsVerifier } from "./known-hosts.js";

const { Client } = ssh2;

export interface SshEventsOptions {
  host: string;
  port: number;
  username: string;
  privateKey: string | Buffer;
  knownHosts: string;
  logger: Logger;
  /** Each complete line of the stream. */
  onLine: (line: string) => Promise<unknown> | void;
  /** Called after a reconnect, with the epoch seconds since which events may have been missed. */
  onGap: (sinceSeconds: number) => Promise<unknown> | void;
  /** First reconnect delay (ms), doubled up to `maxBackoffMs`; default 1 s and 60 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Seconds subtracted from the gap start, for clock skew and lines in flight (default 120). */
  gapSlackSeconds?: number;
  keepaliveIntervalMs?: number;
  /**
   * Epoch seconds to catch up from when the first connection opens: events sent while the service was
   * down (a deploy, a crash) are a gap too. Undefined: no catch-up on the first connection.
   */
  startupCatchUpSince?: number;
  /** First delay before retrying a failed catch-up (ms, doubled per attempt; default 30 s). */
  catchUpRetryMs?: number;
}

export class SshEventStream {
  private client?: InstanceType<typeof Client>;
  private stopped = true;
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private catchUpTimer?: NodeJS.Timeout;
  /** Start of a gap whose catch-up has not succeeded yet. */
  private pendingGap?: number;
  private catchingUp = false;
  /** Epoch seconds up to which we know we saw every event (undefined before the first connection). */
  private liveUntil?: number;
  private connectedOnce = false;
  private lineCount = 0;
  /** stream-events channels opened so far (tests). */
  connections = 0;
  /** True while a stream-events channel is open (readiness). */
  connected = false;
  /** Why the last connection attempt or channel ended, for /readyz. */
  lastError?: string;
  /** When the open channel opened (the status page). */
  connectedSince?: Date;

  constructor(private readonly options: SshEventsOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.catchUpTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return Promise.resolve();
    return new Promise((resolve) => {
      client.once("close", () => resolve());
      client.end();
      setTimeout(resolve, 1000).unref();
    });
  }

  get linesReceived(): number {
    return this.lineCount;
  }

  /**
   * Runs `onGap`; when it fails (Gerrit's REST down right after the stream came back), the gap is kept
   * and retried with backoff, merged with any later gap, until a catch-up succeeds.
   */
  catchUp(since: number, attempt = 1): void {
    this.pendingGap = Math.min(this.pendingGap ?? since, since);
    if (this.catchingUp) return;
    this.catchingUp = true;
    const from = this.pendingGap;
    this.pendingGap = undefined;
    Promise.resolve()
      .then(() => this.options.onGap(from))
      .then(
        () => {
          this.catchingUp = false;
          if (this.pendingGap !== undefined && !this.stopped) this.catchUp(this.pendingGap);
        },
        (error: unknown) => {
          this.catchingUp = false;
          if (this.stopped) return;
          const delay = Math.min((this.options.catchUpRetryMs ?? 30_000) * 2 ** (attempt - 1), 15 * 60_000);
          this.options.logger.error({ error: (error as Error).message, retryInMs: delay }, "Gerrit catch-up failed; will retry");
          this.pendingGap = Math.min(this.pendingGap ?? from, from);
          this.catchUpTimer = setTimeout(() => {
            if (this.pendingGap !== undefined && !this.stopped) this.catchUp(this.pendingGap, attempt + 1);
          }, delay);
        },
      );
  }

  private connect(): void {
    const o = this.options;
    const log = o.logger;
    const client = new Client();
    this.client = client;
    let opened = false;
    let openedAt = 0;
    let linesHere = 0;
    let closed = false;
    const verify = knownHostsVerifier(o.knownHosts, o.host, o.port);
    let hostKeyRejected = false;
    /** What went wrong on this connection, when more is known than the close reason. */
    let failure: string | undefined;

    const onClosed = (reason: string) => {
      if (closed) return;
      closed = true;
      if (this.client === client) this.client = undefined;
      this.connected = false;
      this.connectedSince = undefined;
      this.lastError = failure ?? reason;
      if (opened) this.liveUntil = Math.floor(Date.now() / 1000);
      if (this.stopped) return;
      // A stream that ran a while or delivered events resets the backoff; one that Gerrit closes at once
      // (no Stream Events capability, a server shutting down) counts as a failure, so it is not hammered.
      const healthy = opened && (linesHere > 0 || Date.now() - openedAt > 30_000);
      this.failures = healthy ? 1 : this.failures + 1;
      const delay = Math.min((o.backoffMs ?? 1000) * 2 ** (this.failures - 1), o.maxBackoffMs ?? 60_000);
      log.warn({ reason, reconnectInMs: delay, hostKeyRejected }, "Gerrit stream-events disconnected; reconnecting");
      this.timer = setTimeout(() => this.connect(), delay);
    };

    client.on("ready", () => {
      client.exec("gerrit stream-events", (err, stream) => {
        if (err) {
          log.error({ error: err.message }, "gerrit stream-events refused (does the account have the Stream Events capability?)");
          failure = `stream-events refused: ${err.message}`;
          client.end();
          return;
        }
        opened = true;
        openedAt = Date.now();
        this.connections++;
        this.connected = true;
        this.connectedSince = new Date();
        this.lastError = undefined;
        const gapSince = this.connectedOnce
          ? this.liveUntil === undefined
            ? undefined
            : this.liveUntil - (o.gapSlackSeconds ?? 120)
          : o.startupCatchUpSince;
        this.connectedOnce = true;
        log.info({ host: o.host, port: o.port }, "Gerrit stream-events connected");
        if (gapSince !== undefined) this.catchUp(gapSince);
        let buffer = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            this.lineCount++;
            linesHere++;
            this.liveUntil = Math.floor(Date.now() / 1000);
            Promise.resolve()
              .then(() => o.onLine(line))
              .catch((error: unknown) => log.error({ error: (error as Error).message }, "Gerrit event handling failed"));
          }
        });
        stream.stderr.on("data", (data: Buffer) => {
          const text = data.toString("utf8").trim().slice(0, 300);
          failure = `stream-events: ${text}`;
          log.warn({ stderr: text }, "gerrit stream-events stderr");
        });
        stream.on("close", () => client.end());
      });
    });
    client.on("error", (err) => {
      log.warn({ error: err.message, sshLevel: (err as { level?: string }).level }, "Gerrit SSH error");
      onClosed(err.message);
    });
    client.on("close", () => onClosed("connection closed"));
    client.connect({
      host: o.host,
      port: o.port,
      username: o.username,
      privateKey: o.privateKey,
      hostVerifier: (key: Buffer) => {
        const ok = verify(key);
        if (!ok) {
          hostKeyRejected = true;
          failure = "host key does not match GERRIT_SSH_KNOWN_HOSTS";
          log.error({ host: o.host, port: o.port }, "Gerrit SSH host key does not match GERRIT_SSH_KNOWN_HOSTS; refusing to connect");
        }
        return ok;
      },
      keepaliveInterval: o.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 4,
      readyTimeout: 20_000,
    });
  }
}
