/**
 * What a first review costs on GitHub, by pull request size: API calls (authentication not counted) and
 * writes (content-creating requests), for 2, 100 and 3,000 changed Python files of which two bring a
 * finding. The numbers are the ones docs/benchmark.md reports; a change that adds a call fails here.
 */
import nock from "nock";
import { FakeGithub, unifiedPatch, type FakeFile } from "./fake-github.js";
import { pullRequestEvent, startHarness, type Harness } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";

let fake: FakeGithub;
let h: Harness;

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

function pullOf(size: number): void {
  const base: Record<string, string> = { "app/__init__.py": "" };
  const head: Record<string, string> = { ...base };
  const files: FakeFile[] = [];
  for (let i = 0; i < size; i++) {
    const text = i < 2 ? `import MySQLdb  # ${i}\n` : `VALUE_${i} = ${i}\n`;
    head[`app/m${i}.py`] = text;
    files.push({ filename: `app/m${i}.py`, status: "added", patch: unifiedPatch("", text) });
  }
  fake.commit(BASE, base);
  fake.commit(HEAD, head);
  fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files });
}

// [files, API calls, writes]: measured; see docs/benchmark.md.
test.each([
  [2, 8, 2],
  [100, 10, 2],
  [3000, 97, 2],
])("a first review of %i changed files: %i API calls, %i writes", async (size, calls, writes) => {
  pullOf(size);
  await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE }));
  expect(await h.runJobs()).toEqual([]);
  expect(fake.reviewComments(1)).toHaveLength(2);
  const byKind = new Map<string, number>();
  for (const r of fake.apiRequests()) {
    const key = r.operation ?? `${r.method} ${r.path.replace(/\/\d+(\/|$)/g, "/{n}$1")}`;
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
  }
  process.stdout.write(`${size} files: ${fake.apiRequests().length} calls (${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")}), ${fake.writes().length} writes\n`);
  expect(fake.writes()).toHaveLength(writes);
  expect(fake.apiRequests()).toHaveLength(calls);
}, 300_000);
