/**
 * Turns the checkout into the released Action: bundles `eventlet-review github` into dist-action/ and
 * rewrites action.yml from the composite action of `main` (which installs from source, so that any
 * commit SHA works as `uses:`) into a node24 action that runs the bundle with no install step.
 * The release workflow (.github/workflows/release.yml) commits the result on the release tag only.
 * Usage: node --import tsx scripts/release-action.ts [DIR]  (default: the current directory)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseDocument } from "yaml";
import { bundle } from "./bundle.js";

export async function releaseAction(dir: string): Promise<void> {
  await bundle(join(dir, "dist-action"), { index: "src/cli/action-entry.ts" });
  const file = join(dir, "action.yml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  // Outputs of a JavaScript action are set by the program itself, not mapped from a step.
  const outputs = doc.get("outputs") as { items?: { value: { delete?: (key: string) => void } }[] } | undefined;
  for (const item of outputs?.items ?? []) item.value.delete?.("value");
  doc.set("runs", doc.createNode({ using: "node24", main: "dist-action/index.js" }));
  writeFileSync(file, doc.toString());
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = resolve(process.argv[2] ?? ".");
  await releaseAction(dir);
  process.stdout.write(`${join(dir, "action.yml")} now runs dist-action/index.js on node24\n`);
}
