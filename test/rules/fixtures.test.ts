/**
 * Ruff-style fixture tests: each rule runs alone over the Python files under `fixtures/rules/<ID>/`
 * (paths relative to that folder, so roles such as `cmd/` and `tests/` apply; other files there, such
 * as requirements.txt, are the project around them for facts like versions) and the findings must
 * equal `fixtures/rules/<ID>/findings.txt`. A behaviour change shows up as a reviewed diff of that
 * file: regenerate it with `UPDATE_FIXTURES=1 npm run jest -- test/rules/fixtures.test.ts`.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { ruleById } from "../../src/rules/index.js";

const ROOT = join(process.cwd(), "fixtures", "rules");
const RULES = ["EVL101", "EVL102", "EVL103", "EVL104", "EVL105", "EVL201", "EVL301", "EVL401", "EVL501", "EVL502", "EVL503"];

/** Every file of the fixture but findings.txt: the project (requirement files too, for EVL503's versions). */
async function projectFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name !== "findings.txt")
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

async function render(id: string): Promise<string> {
  const dir = join(ROOT, id);
  const rule = ruleById(id)!;
  const all = await projectFiles(dir);
  const paths = all.filter((p) => p.endsWith(".py"));
  const files = Object.fromEntries(await Promise.all(all.map(async (p) => [p, await readFile(join(dir, p), "utf8")] as const)));
  const analyzer = new Analyzer(configSchema.parse({ rules: { [id]: "on" } }), new MemoryProjectFiles(files), [rule]);
  const lines: string[] = [];
  for (const path of paths) {
    const result = await analyzer.analyzeText(path, files[path]);
    for (const f of result.findings) {
      expect(f.message.trim().length).toBeGreaterThan(20); // says what is wrong and what to do
      lines.push(`${f.path}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.rule} ${f.severity}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

describe.each(RULES)("fixtures/rules/%s", (id) => {
  test("findings match findings.txt", async () => {
    const actual = await render(id);
    const expectedPath = join(ROOT, id, "findings.txt");
    if (process.env.UPDATE_FIXTURES) await writeFile(expectedPath, actual);
    expect(actual).toBe(await readFile(expectedPath, "utf8"));
  });
});
