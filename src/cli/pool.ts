/**
 * `check --jobs N`: N worker threads, each with its own Analyzer (and its own wasm parser). The main
 * thread reads files and hands their bytes over (transferred, not copied); results come back in the
 * order the files went out, so the output is the same as a single-threaded run.
 */
import type { Worker } from "node:worker_threads";
import type { FileResult } from "../analyzer/analyze.js";
import { startWorker } from "../analyzer/worker-thread.js";
import type { WorkerSetup, WorkReply, WorkRequest } from "./worker.js";

export interface FileAnalysis {
  analyze(path: string, bytes: Uint8Array): Promise<FileResult>;
  close(): Promise<void>;
}

/** A worker died or could not start: the run cannot go on, unlike one file the analyzer chokes on. */
export class WorkerCrash extends Error {}

export class WorkerPool implements FileAnalysis {
  private readonly workers: { worker: Worker; inFlight: number }[] = [];
  private readonly pending = new Map<number, { resolve: (r: FileResult) => void; reject: (e: Error) => void; slot: number }>();
  private nextId = 0;

  constructor(jobs: number, setup: WorkerSetup) {
    for (let i = 0; i < jobs; i++) {
      const worker = startWorker(new URL("./worker.js", import.meta.url), { workerData: setup });
      worker.on("message", (reply: WorkReply) => this.settle(reply));
      worker.on("error", (error) => this.failAll(new WorkerCrash(`a worker thread failed: ${error.message}`)));
      worker.on("exit", (code) => this.failAll(new WorkerCrash(`a worker thread exited (code ${code})`)));
      this.workers.push({ worker, inFlight: 0 });
    }
  }

  analyze(path: string, bytes: Uint8Array): Promise<FileResult> {
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
