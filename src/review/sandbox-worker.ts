/**
 * The worker thread of an AnalysisSandbox: matches paths against the config's globs and analyzes
 * files, so a hostile path or file can only stall this thread, which the main thread can terminate.
 * Other files of the project are read through the main thread, which owns the platform's API client.
 */
import { parentPort } from "node:worker_threads";
import { Analyzer } from "../analyzer/analyze.js";
import { pythonParser } from "../python/parser.js";
import type { ProjectFiles } from "../python/project-files.js";
import { fileFilter } from "../config/file-filter.js";
import { factsSummary } from "../facts/summary.js";
import type { SandboxSetup, ToMain, ToWorker } from "./sandbox.js";

const port = parentPort!;
const reads = new Map<number, (text: string | undefined) => void>();
let nextRead = 0;
const project: ProjectFiles = {
  readText: (path) =>
    new Promise((resolve) => {
      const id = nextRead++;
      reads.set(id, resolve);
      port.postMessage({ kind: "read", id, path } satisfies ToMain);
    }),
};
// One review at a time: a `begin` message sets up the next review's Analyzer (a thread is reused).
let review: { analyzer: Analyzer; keep: (path: string) => boolean } | undefined;

function begin(setup: SandboxSetup) {
  return { analyzer: new Analyzer(setup.config, project, undefined, { mode: setup.mode }), keep: fileFilter(setup.config) };
}

async function answer(message: Exclude<ToWorker, { kind: "read-reply" }>): Promise<unknown> {
  if (message.kind === "begin") {
    review = begin(message.setup);
    return true;
  }
  if (!review) throw new Error("no review has begun");
  const { analyzer, keep } = review;
  switch (message.kind) {
    case "keep":
      return keep(message.path);
    case "analyze":
      return analyzer.analyzeBytes(message.path, message.bytes);
    case "facts":
      // Facts are best effort: a project whose requirement files cannot be read still gets its review.
      return factsSummary(analyzer.facts(), message.paths).catch(() => undefined);
  }
}

port.on("message", (message: ToWorker) => {
  if (message.kind === "read-reply") {
    reads.get(message.id)?.(message.text);
    reads.delete(message.id);
    return;
  }
  answer(message).then(
    (value) => port.postMessage({ kind: "done", id: message.id, value } satisfies ToMain),
    (error: unknown) =>
      port.postMessage({ kind: "failed", id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies ToMain),
  );
});

// The wasm parser loads before the first file's clock starts (see AnalysisSandbox.request).
await pythonParser();
port.postMessage({ kind: "ready" } satisfies ToMain);
