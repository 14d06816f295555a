/**
 * Glob matching and analysis of a change's files, off the main thread and under a time budget per
 * file and per review. The paths and contents come from whoever opened the change: one built to make
 * a glob backtrack or a rule crawl would otherwise freeze webhooks, SSH keepalives and queue lock
 * renewals for every tenant. A request over budget terminates the worker (the next one starts a
 * fresh worker) and the file becomes a notice.
 */
import type { Worker } from "node:worker_threads";
import type { FileResult } from "../analyzer/analyze.js";
import type { ProjectFiles } from "../python/project-files.js";
import { startWorker } from "../analyzer/worker-thread.js";
import type { Analysis, AnalysisSetup, Outcome } from "./analysis.js";

export interface AnalysisBudget {
  /** Wall time for one file's glob matching or analysis, reads of other project files included. */
  fileMs: number;
  /** Wall time for the whole review; files left when it runs out become notices. */
  jobMs: number;
  /** Heap limit of the worker thread: a file that exhausts it costs the worker, not the process. */
  maxHeapMb?: number;
}

export const DEFAULT_BUDGET: AnalysisBudget = { fileMs: 20_000, jobMs: 300_000, maxHeapMb: 1024 };

export type SandboxSetup = AnalysisSetup;

export type ToWorker =
  | { kind: "begin"; id: number; setup: SandboxSetup }
  | { kind: "keep"; id: number; path: string }
  | { kind: "analyze"; id: number; path: string; bytes: Uint8Array }
  | { kind: "facts"; id: number; paths: string[] }
  | { kind: "read-reply"; id: number; text: string | undefined };

export type ToMain =
  | { kind: "ready" }
  | { kind: "done"; id: number; value: unknown }
  | { kind: "failed"; id: number; error: string }
  | { kind: "read"; id: number; path: string };

type Request =
  | { kind: "begin"; setup: SandboxSetup }
  | { kind: "keep"; path: string }
  | { kind: "analyze"; path: string; bytes: Uint8Array }
  | { kind: "facts"; paths: string[] };

interface Thread {
  worker: Worker;
  heapMb: number | undefined;
  /** Resolves once the worker has loaded its parser. */
  ready: Promise<void>;
  dead: boolean;
  /** The sandbox using the thread right now. */
  onMessage?: (message: ToMain) => void;
  onDeath?: (why: string) => void;
}

/** One healthy thread parked between reviews: starting one costs the module graph and the wasm parser. */
let idle: Thread | undefined;

function spawnThread(heapMb: number | undefined): Thread {
  const worker = startWorker(new URL("./sandbox-worker.js", import.meta.url), {
    ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
  });
  let markReady!: () => void;
  let failStart!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failStart = reject)));
  // A rejection nobody awaits (a parked thread that dies) must not go unhandled.
  ready.catch(() => undefined);
  const thread: Thread = { worker, heapMb, ready, dead: false };
  worker.on("message", (message: ToMain) => (message.kind === "ready" ? markReady() : thread.onMessage?.(message)));
  const died = (why: string) => {
    if (thread.dead) return;
    thread.dead = true;
    if (idle === thread) idle = undefined;
    failStart(new Error(why));
    thread.onDeath?.(why);
  };
  worker.on("error", (error) => died(`the analysis thread failed (${error.message})`));
  worker.on("exit", (code) => died(`the analysis thread exited (code ${code})`));
  return thread;
}

function acquire(heapMb: number | undefined): Thread {
  const parked = idle;
  if (parked && !parked.dead && parked.heapMb === heapMb) {
    idle = undefined;
    parked.worker.ref();
    return parked;
  }
  return spawnThread(heapMb);
}

function release(thread: Thread): void {
  thread.onMessage = undefined;
  thread.onDeath = undefined;
  if (thread.dead) return;
  if (idle) {
    void thread.worker.terminate();
    return;
  }
  // Parked, it must not keep the process alive.
  thread.worker.unref();
  idle = thread;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}-second`;

export class AnalysisSandbox implements Analysis {
  private thread?: Thread;
  private current?: { id: number; settle: (outcome: Outcome<unknown>) => void };
  private nextId = 0;
  private readonly deadline: number;

  constructor(
    private readonly setup: SandboxSetup,
    private readonly project: ProjectFiles,
    private readonly budget: AnalysisBudget = DEFAULT_BUDGET,
  ) {
    this.deadline = Date.now() + budget.jobMs;
  }

  /** Whether the config's include/exclude globs keep `path`; a notice when matching ran over budget. */
  keep(path: string): Promise<Outcome<boolean>> {
    return this.request<boolean>({ kind: "keep", path }, "matching the path against the config's globs");
  }

  /** The file's findings and notices; over budget or crashed, one notice says so. */
  async analyze(path: string, bytes: Uint8Array): Promise<FileResult> {
    const outcome = await this.request<FileResult>({ kind: "analyze", path, bytes }, "analysis");
    if (outcome.ok) return outcome.value;
    return { findings: [], notices: [{ path, message: outcome.notice }], parsed: false };
  }

  /** The facts line of the review (best effort: undefined when it failed or ran over budget). */
  async factsLine(paths: string[]): Promise<string | undefined> {
    const outcome = await this.request<string | undefined>({ kind: "facts", paths }, "facts");
    return outcome.ok ? outcome.value : undefined;
  }

  /** True once the review's own time budget has run out: the files left become notices. */
  expired(): boolean {
    return Date.now() >= this.deadline;
  }

  /** Hands a healthy thread back for the next review. */
  close(): void {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) release(thread);
  }

  private outOfTime(): Outcome<never> {
    return { ok: false, notice: `not analyzed: the review's ${seconds(this.budget.jobMs)} time budget ran out` };
  }

  /** The thread of this review, started (or taken from the park) and told about the review's config. */
  private async attach(): Promise<Outcome<Thread>> {
    if (this.thread) return { ok: true, value: this.thread };
    const thread = acquire(this.budget.maxHeapMb);
    thread.onMessage = (message) => this.receive(thread, message);
    thread.onDeath = (why) => {
      if (this.thread === thread) this.thread = undefined;
      const current = this.current;
      this.current = undefined;
      current?.settle({ ok: false, notice: `could not analyze: ${why}` });
    };
    try {
      // Starting the worker (and its parser) is not a file's time: it waits within the review's budget.
      await withTimeout(thread.ready, this.deadline - Date.now());
    } catch (error) {
      thread.onMessage = undefined;
      thread.onDeath = undefined;
      void thread.worker.terminate();
      return error instanceof Timeout ? this.outOfTime() : { ok: false, notice: `not analyzed: ${(error as Error).message}` };
    }
    this.thread = thread;
    const begun = await this.send<boolean>(thread, { kind: "begin", setup: this.setup }, "setting up the analysis");
    return begun.ok ? { ok: true, value: thread } : begun;
  }

  private receive(thread: Thread, message: ToMain): void {
    if (message.kind === "read") {
      const reply = (text: string | undefined) => {
        if (!thread.dead) thread.worker.postMessage({ kind: "read-reply", id: message.id, text } satisfies ToWorker);
      };
      this.project.readText(message.path).then(reply, () => reply(undefined));
    } else if (message.kind !== "ready" && this.current?.id === message.id) {
      const { settle } = this.current;
      this.current = undefined;
      settle(message.kind === "done" ? { ok: true, value: message.value } : { ok: false, notice: `could not analyze: ${message.error}` });
    }
  }

  private async request<T>(request: Request, what: string): Promise<Outcome<T>> {
    if (this.expired()) return this.outOfTime();
    const attached = await this.attach();
    if (!attached.ok) return attached;
    return this.send<T>(attached.value, request, what);
  }

  private send<T>(thread: Thread, request: Request, what: string): Promise<Outcome<T>> {
    if (this.expired()) return Promise.resolve(this.outOfTime());
    const id = this.nextId++;
    const left = this.deadline - Date.now();
    const perFile = this.budget.fileMs <= left;
    return new Promise<Outcome<T>>((resolve) => {
      const timer = setTimeout(
        () => {
          if (this.current?.id !== id) return;
          this.current = undefined;
          // The thread may be stuck in a regular expression or a rule: only terminating it stops that.
          if (this.thread === thread) this.thread = undefined;
          thread.onDeath = undefined;
          void thread.worker.terminate();
          const budget = perFile ? `the ${seconds(this.budget.fileMs)} time budget per file` : `the review's ${seconds(this.budget.jobMs)} time budget`;
          resolve({ ok: false, notice: `not analyzed: ${what} ran over ${budget}` });
        },
        Math.min(this.budget.fileMs, left),
      );
      this.current = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome as Outcome<T>);
        },
      };
      thread.worker.postMessage({ ...request, id } as ToWorker);
    });
  }
}

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return Promise.reject(new Timeout());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout()), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error as Error)),
    );
  });
}
