/**
 * Where the Gerrit bot keeps what it must not forget across restarts: the Gerrit time (epoch seconds) up
 * to which every event was handled, and when webhook mode last reconciled. Redis when REDIS_URL is set
 * (every instance shares it, and it survives the instance), else a small JSON file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Redis } from "ioredis";

export interface GerritState {
  /** Every event created at or before this time (Gerrit's clock, epoch s) was handled. */
  cursor?: number;
  /** Webhook mode: the last reconciliation covered changes updated up to this time. */
  reconciled?: number;
}

export interface StateStore {
  readonly kind: "redis" | "file";
  load(): Promise<GerritState>;
  save(state: GerritState): Promise<void>;
  close(): Promise<void>;
}

/** A JSON file, written whole to a temporary name and renamed, so a crash never leaves half a file. */
export class FileStateStore implements StateStore {
  readonly kind = "file";
  constructor(readonly path: string) {}

  async load(): Promise<GerritState> {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
    const value = JSON.parse(text) as GerritState;
    return { ...(Number.isFinite(value.cursor) ? { cursor: value.cursor } : {}), ...(Number.isFinite(value.reconciled) ? { reconciled: value.reconciled } : {}) };
  }

  async save(state: GerritState): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state)}\n`);
    renameSync(tmp, this.path);
  }

  async close(): Promise<void> {}
}

/**
 * One Redis hash per Gerrit server, shared by every instance. A field only moves forward: with several
 * instances, the one that saw the newest event must not be overwritten by a slower one.
 */
const RAISE = `
for i, field in ipairs({'cursor', 'reconciled'}) do
  local v = ARGV[i]
  if v ~= '' then
    local cur = redis.call('HGET', KEYS[1], field)
    if not cur or tonumber(cur) < tonumber(v) then redis.call('HSET', KEYS[1], field, v) end
  end
end
return 1
`;

export class RedisStateStore implements StateStore {
  readonly kind = "redis";
  private readonly redis: Redis;

  constructor(
    url: string,
    /** e.g. `eventlet-review:gerrit:review.example.org` */
    readonly key: string,
  ) {
    // A Redis that accepts but never answers must not hold up the start (the cursor is read then) or the
    // shutdown (it is written then): a command unanswered in 5 s fails, and the caller carries on.
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, commandTimeout: 5000 });
  }

  async load(): Promise<GerritState> {
    const [cursor, reconciled] = await this.redis.hmget(this.key, "cursor", "reconciled");
    // Read back from a shared Redis: only a plain number of seconds is a cursor.
    const seconds = (v: string | null) => (v !== null && /^\d{1,12}$/.test(v) ? Number(v) : undefined);
    const c = seconds(cursor);
    const r = seconds(reconciled);
    return { ...(c !== undefined ? { cursor: c } : {}), ...(r !== undefined ? { reconciled: r } : {}) };
  }

  async save(state: GerritState): Promise<void> {
    await this.redis.eval(RAISE, 1, this.key, state.cursor === undefined ? "" : String(state.cursor), state.reconciled === undefined ? "" : String(state.reconciled));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
