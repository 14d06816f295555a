/** Rule docs in the terminal: `rules` (id, name, default severity, on/off) and `explain` (the docs/rules page). */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ALL_RULES } from "../../src/rules/index.js";
import { cleanup, run, tempDir, writeTree } from "./helpers.js";

const REPO = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../..");
let root: string;

beforeEach(() => {
  root = tempDir();
  writeTree(root, { ".git/HEAD": "ref: refs/heads/master\n" });
});
afterEach(() => cleanup(root));

test("rules: every rule with its default severity and its state under the config", async () => {
  writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL105: on\n  EVL201: off\n  EVL301: error\n" });
  const r = await run(["rules"], { cwd: root });
  expect(r.code).toBe(0);
  const rows = new Map(r.stdout.trimEnd().split("\n").map((line) => [line.split(/\s+/)[0], line.split(/\s+/).slice(1, 4)]));
  expect([...rows.keys()]).toEqual(ALL_RULES.map((rule) => rule.meta.id));
  for (const rule of ALL_RULES) expect(rows.get(rule.meta.id)!.slice(0, 2)).toEqual([rule.meta.name, rule.meta.severity]);
  expect(rows.get("EVL105")![2]).toBe("on"); // off by default, turned on
  expect(rows.get("EVL201")![2]).toBe("off");
  expect(rows.get("EVL301")![2]).toBe("on:error"); // default warning, raised by the config
  expect(rows.get("EVL104")![2]).toBe("on");
});

test("explain prints the rule's page, the same text as docs/rules/<id>.md", async () => {
  for (const id of ["EVL104", "evl301"]) {
    const r = await run(["explain", id], { cwd: root });
    expect(r.code).toBe(0);
    const page = readFileSync(join(REPO, "docs/rules", `${id.toUpperCase()}.md`), "utf8");
    expect(r.stdout).toBe(page);
    for (const heading of ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"]) expect(r.stdout).toContain(heading);
    expect(r.stdout).toMatch(/\(https:\/\/specs\.openstack\.org\/openstack\/openstack-specs\/specs\/eventlet-best-practices\.html#[a-z-]+\)/);
  }
});
