/** Writes docs/rules/ from the rule metadata; `--check` fails when the committed pages are stale. */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { renderRuleIndex, renderRulePage } from "../src/rules/rule-page.js";
import { ALL_RULES } from "../src/rules/index.js";

const check = process.argv.includes("--check");
const pages = new Map<string, string>([["docs/rules/README.md", renderRuleIndex(ALL_RULES)]]);
for (const rule of ALL_RULES) pages.set(`docs/rules/${rule.meta.id}.md`, renderRulePage(rule));

await mkdir("docs/rules", { recursive: true });
let stale = 0;
for (const [path, text] of pages) {
  if (check) {
    const current = await readFile(path, "utf8").catch(() => "");
    if (current !== text) {
      console.error(`${path} is out of date: run npm run docs`);
      stale++;
    }
  } else {
    await writeFile(path, text);
  }
}
process.exitCode = stale ? 1 : 0;
