/**
 * A worker thread that reads, hashes and screens local files (./screen-worker.ts). A whole-tree check
 * reads thousands of files and parses a few dozen: the reads, the cache's hashes, the decoding and the
 * triggers' searches (most of a cold run beside the parse) run on the second core while the main
 * thread parses. Paths go over in batches.
 */
import type { Worker } from "node:worker_threads";
import type { Config } from "../../config/schema.js";
import type { ScreenedRule } from "../../analyzer/screen.js";
import type { ScreenResult } from "./screen-file.js";
import { startWorker } from "../../analyzer/worker-thread.js";

export interface ScreenSetup {
  config: Config;
  /** The enabled rules with their triggers, in the analyzer's order: the worker loads no rule module. */
  rules: readonly ScreenedRule[];
}

export interface ScreenBatch {
  /** The number of the batch's first file. */
  first: number;
  /** Absolute paths. */
  files: string[];
}


export interface ScreenReply {
  first: number;
  results: ScreenResult[];
}

/** Files per message: a message per file would cost more than a small file's screening. */
const BATCH = 32;

export class ScreenThread {
  private readonly worker: Worker;
  private batch: string[] = [];
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (r: ScreenResult) => void; reject: (e: Error) => void }>();
  private flushQueued = false;
  private failure?: Error;
  /** Set by the worker once it has loaded its modules: shared memory, since the caller may not yield to the event loop meanwhile. */
  private readonly loaded = new Int32Array(new SharedArrayBuffer(4));

  constructor(setup: ScreenSetup) {
    this.worker = startWorker(new URL("./screen-worker.js", import.meta.url), { workerData: { ...setup, loaded: this.loaded } });
    this.worker.on("message", (reply: ScreenReply) => {
      reply.results.forEach((result, i) => {
        const id = reply.first + i;
        this.waiting.get(id)?.resolve(result);
        this.waiting.delete(id);
      });
      if (!this.waiting.size) this.worker.unref();
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const pending of this.waiting.values()) pending.reject(error);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`the screening thread stopped (exit code ${code})`)));
    // Held only while files are out: an idle worker must not keep the process alive.
    this.worker.unref();
  }

  /** Whether the worker has loaded its modules (until then the caller may as well read files itself). */
  get ready(): boolean {
    return Atomics.load(this.loaded, 0) === 1;
  }

  /** Resolves once the worker has loaded (for tests: a short tree would otherwise be read before it is). */
  async loadedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ready && !this.failure && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.ready;
  }

  /** screenFile on the worker. */
  screen(absolute: string): Promise<ScreenResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    this.batch.push(absolute);
    const result = new Promise<ScreenResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.ref();
    if (this.batch.length >= BATCH) this.flush();
    else if (!this.flushQueued) {
      // A partial batch goes once the caller waits on the event loop.
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return result;
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.batch.length) return;
    const files = this.batch;
    this.batch = [];
    this.worker.postMessage({ first: this.next - files.length, files } satisfies ScreenBatch);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
