/**
 * The boundary lint (eslint.config.js, run by `npm run lint`) refuses an import against the floors of
 * src/ and lets the imports that go up the list pass. Lints probe text as if it sat in src/, so the
 * rules themselves are what is tested.
 */
import { resolve } from "node:path";
import { ESLint } from "eslint";

const REPO = resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: REPO });

async function restricted(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(REPO, path) });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

test("imports that go up the list pass", async () => {
  expect(await restricted("src/config/probe.ts", 'import type { Finding } from "../model/finding.js";\nexport type F = Finding;\n')).toEqual([]);
  expect(await restricted("src/platforms/github/probe.ts", 'import type { Logger } from "../adapter.js";\nimport { reviewChange } from "../../review/review.js";\nexport type L = Logger;\nexport const r = reviewChange;\n')).toEqual([]);
  expect(await restricted("src/cli/probe.ts", 'import { startService } from "../service/service.js";\nexport const s = startService;\n')).toEqual([]);
});

test("a lower floor imported from a higher one fails, also for a type-only import", async () => {
  expect(await restricted("src/model/probe.ts", 'import type { Config } from "../config/schema.js";\nexport type C = Config;\n')).toEqual([expect.stringContaining("src/model/ imports only nothing of src/")]);
  expect(await restricted("src/review/probe.ts", 'import { CHECK_NAME } from "../platforms/github/publisher.js";\nexport const c = CHECK_NAME;\n')).toHaveLength(1);
  expect(await restricted("src/service/queue/probe.ts", 'import { main } from "../../cli/main.js";\nexport const m = main;\n')).toHaveLength(1);
});

test("one platform importing another fails", async () => {
  expect(await restricted("src/platforms/github/probe.ts", 'import { GerritClient } from "../gerrit/client.js";\nexport const g = GerritClient;\n')).toEqual([
    expect.stringContaining("a platform imports no other platform"),
  ]);
});

/** What the boundary rules say about `import()`: no-restricted-imports does not see it. */
async function restrictedDynamic(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(REPO, path) });
  return result.messages.filter((m) => m.ruleId === "no-restricted-syntax").map((m) => m.message);
}

test("a dynamic import() of a forbidden floor fails too, as a string or a template literal", async () => {
  expect(await restrictedDynamic("src/review/probe.ts", 'export const load = () => import("../platforms/github/publisher.js");\n')).toEqual([
    expect.stringContaining("src/review/ imports only"),
  ]);
  expect(await restrictedDynamic("src/platforms/gerrit/probe.ts", "export const load = (name: string) => import(`../github/${name}.js`);\n")).toEqual([
    expect.stringContaining("a platform imports no other platform"),
  ]);
  expect(await restrictedDynamic("src/cli/probe.ts", 'export const load = () => import("../service/service.js");\n')).toEqual([]);
  expect(await restrictedDynamic("src/platforms/gerrit/probe.ts", 'export const load = () => import("../../review/review.js");\n')).toEqual([]);
});
