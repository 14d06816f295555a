/**
 * `--baseline FILE` / `--write-baseline`: adopt the tool on legacy code. The baseline lists the
 * fingerprints of today's findings (rule, path and the text of the line, not its number), so code that
 * moves stays quiet, a new finding is reported, and the file shrinks as findings are fixed and it is
 * written again.
 */
import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { Finding } from "../model/finding.js";
import { fingerprints } from "../review/fingerprint.js";
import { UsageError } from "../platforms/local/config.js";
import { findingLines, type RootedFinding } from "./source-lines.js";

const baselineSchema = z.object({
  version: z.literal(1),
  findings: z.array(z.object({ fingerprint: z.string(), rule: z.string(), path: z.string() })),
});

/** Fingerprints with each finding's line read from the file it names (`directory` of its PATH). */
export async function fingerprintFindings(findings: readonly RootedFinding[], directoryOf: (root: string) => string): Promise<string[]> {
  const lines = await findingLines(findings, directoryOf);
  const lineOf = new Map(findings.map((f, i) => [f as Finding, lines[i]]));
  return fingerprints(findings, (f) => lineOf.get(f) ?? "");
}

export async function readBaseline(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`cannot read baseline ${path} (write one with --write-baseline)`);
  }
  try {
    return new Set(baselineSchema.parse(JSON.parse(text)).findings.map((f) => f.fingerprint));
  } catch (error) {
    throw new UsageError(`${path} is not an eventlet-review baseline: ${(error as Error).message.split("\n")[0]}`);
  }
}

export async function writeBaseline(path: string, findings: readonly RootedFinding[], ids: readonly string[]): Promise<void> {
  const entries = findings.map((f, i) => ({ fingerprint: ids[i], rule: f.rule, path: f.path }));
  await writeFile(path, `${JSON.stringify({ version: 1, findings: entries }, null, 2)}\n`);
}
