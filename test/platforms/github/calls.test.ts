/**
 * What a first review costs on GitHub, by pull request size: API calls (authentication not counted) and
 * writes (content-creating requests), counted at the fake GitHub behind nock, for 2, 100 and 3,000
 * changed Python files under one package of which two bring a finding, the files added or modified.
 *
 * Issue 15's target: at most 5 calls plus 1 per 100 files, and at most 2 writes. docs/benchmark.md's
 * table between the `github-calls` markers is this test's output: the test fails when it differs, and
 * `UPDATE_BENCHMARK=1` writes it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import nock from "nock";
import { FakeGithub, unifiedPatch, type FakeFile } from "./fake-github.js";
import { pullRequestEvent, startHarness, type Harness } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";
const DOC = new URL("../../../docs/benchmark.md", import.meta.url);
const BEGIN = "<!-- github-calls:begin (test/platforms/github/calls.test.ts) -->";
const END = "<!-- github-calls:end -->";

let fake: FakeGithub;
let h: Harness;
const rows: string[] = [];

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  fake = new FakeGithub().install();
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(fake.invalid).toEqual([]);
});

function pullOf(size: number, status: "added" | "modified"): void {
  const base: Record<string, string> = { "app/__init__.py": "" };
  const head: Record<string, string> = { ...base };
  const files: FakeFile[] = [];
  for (let i = 0; i < size; i++) {
    const before = `VALUE_${i} = ${i}\n`;
    const text = i < 2 ? `import MySQLdb  # ${i}\n` : `VALUE_${i} = ${i + 1}\n`;
    if (status === "modified") base[`app/m${i}.py`] = `${before}X = 1\n`;
    head[`app/m${i}.py`] = status === "modified" ? `${text}X = 1\n` : text;
    files.push({ filename: `app/m${i}.py`, status, patch: status === "modified" ? `@@ -1,2 +1,2 @@\n-${before.trimEnd()}\n+${text.trimEnd()}\n X = 1` : unifiedPatch("", text) });
  }
  fake.commit(BASE, base);
  fake.commit(HEAD, head);
  fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files });
}

function where(): string {
  const byKind = new Map<string, number>();
  for (const r of fake.apiRequests()) {
    const rest = r.path.replace(/^\/repos\/[^/]+\/[^/]+/, "");
    const key = r.operation ? `${r.operation} (GraphQL)` : `${r.method} ${rest.replace(/\/\d+(?=\/|$)/g, "/{n}").replace(/\/[0-9a-f]{40}$/, "/{sha}")}`;
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
  }
  const downloads = fake.downloads.length ? `; not API calls: codeload.github.com download ×${fake.downloads.length}` : "";
  return [...byKind].map(([k, n]) => `${k} ×${n}`).join(", ") + downloads;
}

describe.each(["added", "modified"] as const)("a first review of a pull request whose files are %s", (status) => {
  test.each([2, 100, 3000])("%i files: at most 5 calls plus 1 per 100 files, at most 2 writes", async (size) => {
    pullOf(size, status);
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE }));
    expect(await h.runJobs()).toEqual([]);
    expect(fake.reviewComments(1)).toHaveLength(2);
    const calls = fake.apiRequests().length;
    const writes = fake.writes().length;
    const target = 5 + Math.ceil(size / 100);
    rows.push(`| ${size.toLocaleString("en")} ${status} | ${calls} | ${writes} | ${target} | ${where()} |`);
    expect(writes).toBeLessThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(target);
  }, 600_000);
});

afterAll(() => {
  if (rows.length !== 6) return; // a filtered run (-t) measures only part of the table
  const table = ["| changed files | API calls | writes | target calls | where the calls go |", "|---|---|---|---|---|", ...rows].join("\n");
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/benchmark.md has no ${BEGIN} … ${END} section`);
  const updated = `${doc.slice(0, start + BEGIN.length)}\n${table}\n${doc.slice(end)}`;
  if (process.env.UPDATE_BENCHMARK === "1") writeFileSync(DOC, updated);
  else if (updated !== doc) throw new Error(`docs/benchmark.md's GitHub calls table is not what this test measures; run it with UPDATE_BENCHMARK=1:\n${table}`);
});
