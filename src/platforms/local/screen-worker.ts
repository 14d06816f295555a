/**
 * The worker thread of a ScreenThread (./screen-thread.ts): reads, hashes and screens the files of a
 * whole-tree check, so that the main thread's time goes to the few that need a parse.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Screen } from "../../analyzer/screen.js";
import { screenFile } from "./screen-file.js";
import type { ScreenBatch, ScreenReply, ScreenSetup } from "./screen-thread.js";

const setup = workerData as ScreenSetup & { loaded: Int32Array };
const screen = new Screen(setup.config, setup.rules);
const port = parentPort!;

port.on("message", (batch: ScreenBatch) => {
  const results = batch.files.map((file) => screenFile(screen, file, setup.config.max_file_bytes));
  port.postMessage({ first: batch.first, results } satisfies ScreenReply);
});
Atomics.store(setup.loaded, 0, 1);
