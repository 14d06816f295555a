/**
 * A worker thread of `check --jobs N` (src/platforms/local/pool.ts): owns one Analyzer for one PATH
 * and analyzes the files the main thread reads and hands over, so parsing and rules run on every core
 * while the main thread reads ahead.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Analyzer } from "../../analyzer/analyze.js";
import type { AnalysisMode } from "../../rules/types.js";
import type { Config } from "../../config/schema.js";
import { DiskProjectFiles } from "./disk.js";

export interface WorkerSetup {
  config: Config;
  directory: string;
  mode: AnalysisMode;
}

export interface WorkRequest {
  id: number;
  path: string;
  bytes: Uint8Array;
}

export type WorkReply = { id: number; result: Awaited<ReturnType<Analyzer["analyzeBytes"]>> } | { id: number; error: string };

const setup = workerData as WorkerSetup;
const analyzer = new Analyzer(setup.config, new DiskProjectFiles(setup.directory, setup.config.max_file_bytes), undefined, { mode: setup.mode });

parentPort!.on("message", async ({ id, path, bytes }: WorkRequest) => {
  let reply: WorkReply;
  try {
    reply = { id, result: await analyzer.analyzeBytes(path, bytes) };
  } catch (error) {
    reply = { id, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
