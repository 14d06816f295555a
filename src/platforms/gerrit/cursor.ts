/**
 * The event cursor: the Gerrit time up to which no event can be lost. It follows the newest event
 * handled, but with the in-process queue (jobs die with the process) it stays behind the oldest event
 * whose job has not finished yet, so a restart catches that change up again. With Redis, queued jobs
 * survive, and the cursor follows the newest event at once.
 */
import type { Logger } from "../adapter.js";
import type { GerritState, StateStore } from "./state-store.js";

/** A job unfinished for longer than this (a dead letter) no longer holds the cursor back. */
const PENDING_LIMIT_SECONDS = 24 * 3600;

export class EventCursor {
  private newest?: number;
  private reconciledAt?: number;
  /** Per change: the oldest and newest event time of jobs accepted but not finished. */
  private readonly pending = new Map<string, { oldest: number; newest: number }>();
  private saving: Promise<void> = Promise.resolve();
  private lastSaved?: string;

  constructor(
    private readonly store: StateStore,
    private readonly logger: Logger,
    /** True when queued jobs outlive the process (Redis). */
    private readonly durableJobs: boolean,
  ) {}

  async load(): Promise<GerritState> {
    const state = await this.store.load();
    this.newest = state.cursor;
    this.reconciledAt = state.reconciled;
    return state;
  }

  /** The time since which a catch-up must look (undefined before any event was ever handled). */
  get value(): number | undefined {
    let v = this.newest;
    const floor = (this.newest ?? 0) - PENDING_LIMIT_SECONDS;
    for (const p of this.pending.values()) if (p.oldest > floor && (v === undefined || p.oldest - 1 < v)) v = p.oldest - 1;
    return v;
  }

  get reconciled(): number | undefined {
    return this.reconciledAt;
  }

  /** An event was handled (queued, or nothing to do); `job` names its change when a job was queued. */
  handled(createdOn: number, job?: string): void {
    if (job && !this.durableJobs) {
      const p = this.pending.get(job);
      this.pending.set(job, { oldest: Math.min(p?.oldest ?? createdOn, createdOn), newest: Math.max(p?.newest ?? createdOn, createdOn) });
    }
    if (this.newest === undefined || createdOn > this.newest) this.newest = createdOn;
    this.persist();
  }

  /** A job of `change` for an event created at `createdOn` finished (posted or skipped). */
  finished(change: string, createdOn: number): void {
    const p = this.pending.get(change);
    if (!p) return;
    if (createdOn >= p.newest) this.pending.delete(change);
    else p.oldest = Math.max(p.oldest, createdOn);
    this.persist();
  }

  reconciledUpTo(time: number): void {
    if (this.reconciledAt === undefined || time > this.reconciledAt) this.reconciledAt = time;
    this.persist();
  }

  /** Waits for the last write (shutdown, tests). */
  async flush(): Promise<void> {
    await this.saving;
  }

  private persist(): void {
    const state: GerritState = { ...(this.value === undefined ? {} : { cursor: this.value }), ...(this.reconciledAt === undefined ? {} : { reconciled: this.reconciledAt }) };
    const text = JSON.stringify(state);
    if (text === this.lastSaved) return;
    this.lastSaved = text;
    // Writes run one after another, so the last one wins.
    this.saving = this.saving
      .then(() => this.store.save(state))
      .catch((error: unknown) => this.logger.error({ error: (error as Error).message, store: this.store.kind }, "Gerrit event cursor could not be saved"));
  }
}
