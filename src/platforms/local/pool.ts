/**
 * `check --jobs N`: the analysis port (src/review/analysis.ts) on N worker threads, each with its own
 * Analyzer (and its own wasm parser) over the files on disk. The main thread reads files and hands
 * their bytes over (transferred, not copied); reviewChange takes the results in the order the files
 * went out, so the output is the same as a single-threaded run.
 */
import type { Worker } from "node:worker_threads";
import { Analyzer, type FileResult } from "../../analyzer/analyze.js";
import { startWorker } from "../../analyzer/worker-thread.js";
import { fileFilter } from "../../config/file-filter.js";
import { factsSummary } from "../../facts/summary.js";
import { internalError, type Analysis, type Outcome } from "../../review/analysis.js";
import { DiskProjectFiles } from "./disk.js";
import type { WorkerSetup, WorkReply, WorkRequest } from "./pool-worker.js";

/** A worker died or could not start: the run cannot go on, unlike one file the analyzer chokes on. */
export class WorkerCrash extends Error {}

export class WorkerPool implements Analysis {
  /** Enough files in flight to keep every worker busy while the main thread reads ahead. */
  readonly window: number;
  private readonly filter: (path: string) => boolean;
  private facts?: Analyzer;
  private readonly workers: { worker: Worker; inFlight: number }[] = [];
  private readonly pending = new Map<number, { resolve: (r: FileResult) => void; reject: (e: Error) => void; slot: number }>();
  private nextId = 0;

  constructor(
    jobs: number,
    private readonly setup: WorkerSetup,
  ) {
    this.window = jobs * 4;
    this.filter = fileFilter(setup.config);
    for (let i = 0; i < jobs; i++) {
      const worker = startWorker(new URL("./pool-worker.js", import.meta.url), { workerData: setup });
      worker.on("message", (reply: WorkReply) => this.settle(reply));
      worker.on("error", (error) => this.failAll(new WorkerCrash(`a worker thread failed: ${error.message}`)));
      worker.on("exit", (code) => this.failAll(new WorkerCrash(`a worker thread exited (code ${code})`)));
      this.workers.push({ worker, inFlight: 0 });
    }
  }

  async keep(path: string): Promise<Outcome<boolean>> {
    return { ok: true, value: this.filter(path) };
  }

  /** On the main thread: the facts are the project's, not a file's. */
  factsLine(paths: string[]): Promise<string | undefined> {
    this.facts ??= new Analyzer(this.setup.config, new DiskProjectFiles(this.setup.directory, this.setup.config.max_file_bytes), undefined, { mode: this.setup.mode });
    return factsSummary(this.facts.facts(), paths).catch(() => undefined);
  }

  /** A file the analyzer throws on becomes a notice; a worker lost rejects (WorkerCrash). */
  async analyze(path: string, bytes: Uint8Array): Promise<FileResult> {
    try {
      return await this.send(path, bytes);
    } catch (error) {
      if (error instanceof WorkerCrash) throw error;
      return internalError(path, error);
    }
  }

  private send(path: string, bytes: Uint8Array): Promise<FileResult> {
    if (this.crashed) return Promise.reject(this.crashed);
    const id = this.nextId++;
    let slot = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.workers[i].inFlight < this.workers[slot].inFlight) slot = i;
    this.workers[slot].inFlight++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      const request: WorkRequest = { id, path, bytes };
      const transfer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
      this.workers[slot].worker.postMessage(request, transfer);
    });
  }

  private settle(reply: WorkReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    this.workers[waiting.slot].inFlight--;
    if ("error" in reply) waiting.reject(new Error(reply.error));
    else waiting.resolve(reply.result);
  }

  private crashed?: WorkerCrash;

  private failAll(error: WorkerCrash): void {
    this.crashed ??= error;
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(error);
    }
  }

  async close(): Promise<void> {
    this.crashed ??= new WorkerCrash("the pool is closed");
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
