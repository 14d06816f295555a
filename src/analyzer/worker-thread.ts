/** Starts a worker thread from a module next to the caller, compiled (`.js`) or from the TypeScript sources. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * `module` is the worker's URL with a `.js` name (`new URL("./worker.js", import.meta.url)`). Compiled,
 * it loads as it is. From the TypeScript sources (tests, tsx) the `.ts` file loads through tsx's loader,
 * which a worker thread does not inherit from the main thread.
 */
export function startWorker(module: URL, options: WorkerOptions = {}): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(module, options);
  // The ESM entry of tsx/esm/api, found from the package root (its CommonJS entry cannot register hooks for import()).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsx = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const source = module.href.replace(/\.js$/, ".ts");
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(code, { ...options, eval: true });
}
