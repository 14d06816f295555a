/** `eventlet-review facts [--config FILE] [--format text|json] [PATH]`: the CLI verb. */
import { stat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../config/schema.js";
import { ProjectFacts } from "../facts/project-facts.js";
import { collectFacts } from "../facts/summary.js";
import { formatFactsJson, formatFactsText } from "../formats/facts.js";
import { loadConfigFor, UsageError } from "../platforms/local/config.js";
import { DiskProjectFiles } from "../platforms/local/disk.js";
import { projectRoot } from "../platforms/local/root.js";
import { walkFiles } from "../platforms/local/walk.js";


export async function factsCommand(args: string[], io: { cwd: string; stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: "string", default: "text" }, config: { type: "string" } },
  });
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`unknown --format ${values.format}: use text or json`);
  if (positionals.length > 1) throw new UsageError("facts takes one PATH: a directory of the project");
  const directory = resolve(io.cwd, positionals[0] ?? ".");
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`not a directory: ${positionals[0] ?? "."} (facts reads a project directory)`);
  const config = await loadConfigFor(directory, values.config, io.cwd);
  // Facts come from the project root (its requirement files, tox.ini), as check judges them, and
  // cover the files under the PATH given.
  const project = projectRoot(directory, !!values.config);
  const under = relative(project, directory).split(sep).join("/");
  const paths = walkFiles(project, config, (path, message) => io.stderr(`${path}: ${message}\n`), under);
  io.stdout(await runFacts({ directory: project, config, configPath: values.config ?? ".eventlet-review.yaml", format: values.format, paths }));
  return 0;
}

export interface FactsCommandOptions {
  directory: string;
  config: Config;
  configPath?: string;
  format: "text" | "json";
  /** The files to look at (the CLI walks the tree). */
  paths: AsyncIterable<string> | Iterable<string>;
}

export async function runFacts(options: FactsCommandOptions): Promise<string> {
  const facts = new ProjectFacts(new DiskProjectFiles(options.directory, options.config.max_file_bytes), options.config, options.configPath);
  const report = await collectFacts(facts, options.paths);
  return options.format === "json" ? `${formatFactsJson(report)}\n` : formatFactsText(report);
}
