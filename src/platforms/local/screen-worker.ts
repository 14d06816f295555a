/**
 * The worker thread of a ScreenThread (./screen-thread.ts): reads, hashes and screens the files of a
 * whole-tree check, so that the main thread's time goes to the few that need a parse.
 */
import { parentPort, workerData } from "node:worker_threads";
import { contentHash } from "../../analyzer/content-hash.js";
import { Screen } from "../../analyzer/screen.js";
import { readFileCappedSync } from "./disk.js";
import type { ScreenBatch, ScreenReply, ScreenSetup } from "./screen-thread.js";

const setup = workerData as ScreenSetup & { loaded: Int32Array };
const screen = Screen.of(setup.config, setup.rules);
const port = parentPort!;

port.on("message", (batch: ScreenBatch) => {
  const reply: ScreenReply = { first: batch.first, results: [] };
  for (const file of batch.files) {
    try {
      let stamp: string | undefined;
      const read = readFileCappedSync(file, setup.config.max_file_bytes, (s) => (stamp = s));
      if (!Buffer.isBuffer(read)) reply.results.push({ unread: read.skipped });
      else reply.results.push({ hash: contentHash(read), screened: screen.bytes(read), ...(stamp ? { stamp } : {}) });
    } catch (error) {
      reply.results.push({ error: error instanceof Error ? error.message : String(error) });
    }
  }
  port.postMessage(reply);
});
Atomics.store(setup.loaded, 0, 1);
