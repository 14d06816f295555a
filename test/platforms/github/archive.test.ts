/**
 * Contents from one repository tarball (src/platforms/github/archive.ts) when a review wants more files
 * of one SHA than a GraphQL blob query holds: the fake GitHub answers `GET /tarball/{sha}` with a 302 to
 * codeload.github.com, which serves a tar.gz shaped like GitHub's (fake-github.ts `githubTarball`).
 * Every review read from an archive is compared with the same review read by blob queries.
 */
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { RateLimitedError } from "../../../src/platforms/adapter.js";
import { archiveFidelity } from "../../../src/platforms/github/archive-attributes.js";
import { ARCHIVE_LIMITS, ArchiveUnusable, ASK, readArchive } from "../../../src/platforms/github/archive.js";
import { BlobReader, HISTORY_PER_TREE } from "../../../src/platforms/github/blobs.js";
import { FakeGithub, githubTarball, type FakeFile, type TarEntry } from "./fake-github.js";
import { pullRequestEvent, startHarness } from "./helpers.js";

const BASE = "ba5e000000000000000000000000000000000001";
const HEAD = "a1a1000000000000000000000000000000000001";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const TOP = `${OWNER}-${REPO}-${HEAD.slice(0, 7)}`;

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** A pull request modifying `size` files under app/, two of them with a finding (EVL301 on line 1). */
function modifiedPull(fake: FakeGithub, size: number, head: Record<string, string | Buffer> = {}, base: Record<string, string> = {}): void {
  const before: Record<string, string> = { "app/__init__.py": "", ...base };
  const after: Record<string, string | Buffer> = { ...before };
  const files: FakeFile[] = [];
  for (let i = 0; i < size; i++) {
    const old = `VALUE_${i} = ${i}`;
    const now = i < 2 ? `import MySQLdb  # ${i}` : `VALUE_${i} = ${i + 1}`;
    before[`app/m${i}.py`] = `${old}\nX = 1\n`;
    after[`app/m${i}.py`] = `${now}\nX = 1\n`;
    files.push({ filename: `app/m${i}.py`, status: "modified", patch: `@@ -1,2 +1,2 @@\n-${old}\n+${now}\n X = 1` });
  }
  Object.assign(after, head);
  fake.commit(BASE, before);
  fake.commit(HEAD, after);
  fake.addPull({ number: 1, headSha: HEAD, baseSha: BASE, files });
}

interface Reviewed {
  fake: FakeGithub;
  errors: unknown[];
  comments: Array<[string, number, string]>;
  check: unknown;
}

/** One first review by the App; `prepare` shapes the fake (failures, a crafted archive). */
async function review(size: number, prepare: (fake: FakeGithub) => unknown = () => {}, head?: Record<string, string | Buffer>, base?: Record<string, string>): Promise<Reviewed> {
  nock.cleanAll();
  const fake = new FakeGithub().install();
  modifiedPull(fake, size, head, base);
  await prepare(fake);
  const h = await startHarness();
  try {
    await h.deliver("pull_request", pullRequestEvent("opened", { number: 1, headSha: HEAD, baseSha: BASE }));
    const errors = await h.runJobs();
    expect(fake.invalid).toEqual([]);
    const run = fake.checkRuns.at(-1);
    return {
      fake,
      errors,
      comments: fake.reviewComments(1).map((c) => [c.path, c.line, c.body]),
      check: run && { conclusion: run.conclusion, output: run.output, annotations: run.annotations },
    };
  } finally {
    await h.close();
  }
}

const blobQueries = (fake: FakeGithub) => fake.graphqlCalls("EventletReviewBlobs").length;
const tarballCalls = (fake: FakeGithub) => fake.calls("GET", /\/tarball\//).length;

describe("a large pull request reads its contents from one archive", () => {
  test("150 modified files: one tarball call and one download, no blob query; the review is the blob queries' own", async () => {
    const archived = await review(150);
    const queried = await review(150, (fake) => fake.fail("GET", /\/tarball\//, 404));
    expect(archived.errors).toEqual([]);
    expect(tarballCalls(archived.fake)).toBe(1);
    expect(archived.fake.downloads).toEqual([`/${OWNER}/${REPO}/legacy.tar.gz/${HEAD}`]);
    expect(blobQueries(archived.fake)).toBe(0);
    expect(archived.comments.map(([path, line]) => [path, line])).toEqual([
      ["app/m0.py", 1],
      ["app/m1.py", 1],
    ]);
    // A 404 on the tarball: blob queries (151 files: two) make the same review.
    expect(queried.errors).toEqual([]);
    expect(queried.fake.downloads).toEqual([]);
    expect(blobQueries(queried.fake)).toBe(2);
    expect(archived.comments).toEqual(queried.comments);
    expect(archived.check).toEqual(queried.check);
  }, 60_000);

  test("a 502 on the tarball: blob queries in the same run, nothing retried, the same review", async () => {
    const archived = await review(150);
    const failed = await review(150, (fake) => fake.fail("GET", /\/tarball\//, 502));
    expect(failed.errors).toEqual([]);
    expect(tarballCalls(failed.fake)).toBe(1);
    expect(blobQueries(failed.fake)).toBe(2);
    expect(failed.fake.checkRuns).toHaveLength(1);
    expect(failed.comments).toEqual(archived.comments);
  }, 60_000);

  test("a repository whose history (GraphQL diskUsage) is many times the download cap: no tarball asked, blob queries", async () => {
    const archived = await review(150);
    // A history past the cap alone (nova's is) still gets its archive tried.
    const large = await review(150, (fake) => (fake.diskUsage = ARCHIVE_LIMITS.downloadBytes / 1024 + 1));
    expect(tarballCalls(large.fake)).toBe(1);
    expect(large.comments).toEqual(archived.comments);
    const huge = await review(150, (fake) => (fake.diskUsage = (HISTORY_PER_TREE * ARCHIVE_LIMITS.downloadBytes) / 1024 + 1));
    expect(huge.errors).toEqual([]);
    expect(tarballCalls(huge.fake)).toBe(0);
    expect(blobQueries(huge.fake)).toBe(2);
    expect(huge.comments).toEqual(archived.comments);
  }, 60_000);

  test("a secondary rate limit on the tarball delays the job as any call does; nothing is written", async () => {
    const limited = await review(150, (fake) => fake.fail("GET", /\/tarball\//, 403, 1, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "30" }));
    expect(limited.errors).toHaveLength(1);
    expect((limited.errors[0] as Error).name).toBe(RateLimitedError.name);
    expect(blobQueries(limited.fake)).toBe(0);
    expect(limited.fake.writes()).toEqual([]);
  }, 60_000);

  test("a file over max_file_bytes in the archive: its size from the tar header, the same notice as by blob query", async () => {
    const big = `import MySQLdb\n${"x = 1\n".repeat(30_000)}`;
    const config = { ".eventlet-review.yaml": "max_file_bytes: 100000\n" };
    const archived = await review(150, () => {}, { ...config, "app/m5.py": big }, config);
    const queried = await review(150, (fake) => fake.fail("GET", /\/tarball\//, 404), { ...config, "app/m5.py": big }, config);
    expect(blobQueries(archived.fake)).toBe(0);
    expect(archived.fake.calls("GET", /\/contents\//)).toEqual([]);
    expect(JSON.stringify(archived.check)).toContain(`app/m5.py\`: skipped: ${big.length} bytes is over the 100000-byte limit (max_file_bytes)`);
    expect(archived.check).toEqual(queried.check);
    expect(archived.comments).toEqual(queried.comments);
  }, 60_000);

  test("hostile entries (../, absolute, symlink, hard link, device) are ignored; the review is the same", async () => {
    const hostile: TarEntry[] = [
      { name: `${TOP}/../escape.py`, content: "import MySQLdb\n" },
      { name: "/etc/absolute.py", content: "import MySQLdb\n" },
      { name: `${TOP}/app/link.py`, type: "symlink", linkname: "/etc/passwd" },
      { name: `${TOP}/app/hard.py`, type: "link", linkname: `${TOP}/app/m0.py` },
      { name: `${TOP}/app/tty.py`, type: "character-device" },
    ];
    const archived = await review(150, async (fake) => fake.archives.set(HEAD, await githubTarball(OWNER, REPO, HEAD, fake.commits.get(HEAD)!, hostile)));
    const plain = await review(150);
    expect(archived.errors).toEqual([]);
    expect(archived.fake.downloads).toHaveLength(1);
    expect(blobQueries(archived.fake)).toBe(0);
    expect(archived.comments).toEqual(plain.comments);
    expect(archived.check).toEqual(plain.check);
  }, 60_000);

  test("a gzip bomb past the unpacked-bytes cap is abandoned: blob queries, the same review", async () => {
    const cap = ARCHIVE_LIMITS.unpackedBytes;
    ARCHIVE_LIMITS.unpackedBytes = 4 * 2 ** 20;
    try {
      const zeros: TarEntry = { name: `${TOP}/zeros.bin`, content: Buffer.alloc(16 * 2 ** 20) };
      const bombed = await review(150, async (fake) => {
        const archive = await githubTarball(OWNER, REPO, HEAD, fake.commits.get(HEAD)!, [zeros]);
        expect(archive.length).toBeLessThan(100_000);
        fake.archives.set(HEAD, archive);
      });
      const plain = await review(150);
      expect(bombed.errors).toEqual([]);
      expect(bombed.fake.downloads).toHaveLength(1);
      expect(blobQueries(bombed.fake)).toBe(2);
      expect(bombed.comments).toEqual(plain.comments);
      expect(bombed.check).toEqual(plain.check);
    } finally {
      ARCHIVE_LIMITS.unpackedBytes = cap;
    }
  }, 60_000);
});

describe("a small pull request reads by blob query only", () => {
  test.each([2, 99])("%i modified files: one blob query, no tarball", async (size) => {
    const small = await review(size);
    expect(small.errors).toEqual([]);
    expect(tarballCalls(small.fake)).toBe(0);
    expect(small.fake.downloads).toEqual([]);
    expect(blobQueries(small.fake)).toBe(1);
    expect(small.comments.map(([path, line]) => [path, line])).toEqual([
      ["app/m0.py", 1],
      ["app/m1.py", 1],
    ]);
  }, 60_000);
});

describe("BlobReader with an archive", () => {
  const octokit = () => new Octokit({ auth: "t" });
  const many = (n: number) => Array.from({ length: n }, (_, i) => `pkg/f${i}.py`);
  const text = (blob: { bytes?: Uint8Array } | undefined) => (blob?.bytes ? Buffer.from(blob.bytes).toString() : blob);

  function commit(fake: FakeGithub, extra: Record<string, string> = {}): Record<string, string> {
    const files = Object.fromEntries(many(120).map((p, i) => [p, `N = ${i}\n`]));
    Object.assign(files, { "pkg/__init__.py": "", "README.md": "# hi\n", "setup.cfg": "[metadata]\nname = pkg\n" }, extra);
    fake.commit(HEAD, files);
    return files;
  }

  test("after one archive, later reads of the SHA (files, facts files, no such file) cost nothing", async () => {
    const fake = new FakeGithub().install();
    commit(fake);
    const blobs = new BlobReader(octokit(), { owner: OWNER, repo: REPO });
    const read = await blobs.readMany(HEAD, many(120));
    expect(text(read.get("pkg/f7.py"))).toBe("N = 7\n");
    expect(text(await blobs.read(HEAD, "setup.cfg"))).toBe("[metadata]\nname = pkg\n");
    expect(text(await blobs.read(HEAD, "pkg/__init__.py"))).toBe("");
    expect(await blobs.read(HEAD, "MySQLdb/__init__.py")).toBeUndefined();
    expect(await blobs.read(HEAD, "pkg/missing.py")).toBeUndefined();
    expect(fake.apiRequests().map((r) => r.path)).toEqual([`/repos/${OWNER}/${REPO}/tarball/${HEAD}`]);
    // Not a file the analyzer reads, so not kept: asked for, it is read by blob query.
    expect(text(await blobs.read(HEAD, "README.md"))).toBe("# hi\n");
    expect(blobQueries(fake)).toBe(1);
  });

  test("export-ignore: a path the archive left out is read by blob query; export-subst: so is a file it changed", async () => {
    const fake = new FakeGithub().install();
    const files = commit(fake, {
      ".gitattributes": "tests/ export-ignore\npkg/_version.py export-subst\n",
      "tests/test_pkg.py": "import pkg\n",
      "pkg/_version.py": "REF = '$Format:%H$'\n",
    });
    const exported = new Map(Object.entries(files).filter(([p]) => !p.startsWith("tests/")));
    exported.set("pkg/_version.py", `REF = '${HEAD}'\n`);
    fake.archives.set(HEAD, await githubTarball(OWNER, REPO, HEAD, exported));
    const blobs = new BlobReader(octokit(), { owner: OWNER, repo: REPO });
    await blobs.readMany(HEAD, many(120));
    expect(blobQueries(fake)).toBe(0);
    const [test, version] = await Promise.all([blobs.read(HEAD, "tests/test_pkg.py"), blobs.read(HEAD, "pkg/_version.py")]);
    expect(text(test)).toBe("import pkg\n");
    expect(text(version)).toBe("REF = '$Format:%H$'\n");
    expect(blobQueries(fake)).toBe(1);
  });

  test("a root name the archive lacks (docs export-ignored): missing paths are asked", async () => {
    const fake = new FakeGithub().install();
    const files = commit(fake, { ".gitattributes": "docs export-ignore\n", "docs/conf.py": "x = 1\n" });
    const exported = new Map(Object.entries(files).filter(([p]) => !p.startsWith("docs/")));
    fake.archives.set(HEAD, await githubTarball(OWNER, REPO, HEAD, exported));
    const blobs = new BlobReader(octokit(), { owner: OWNER, repo: REPO });
    blobs.limitTo(HEAD, new Set(["pkg", "README.md", "setup.cfg", ".gitattributes", "docs"]));
    await blobs.readMany(HEAD, many(120));
    expect(text(await blobs.read(HEAD, "docs/conf.py"))).toBe("x = 1\n");
    expect(blobQueries(fake)).toBe(1);
  });

  test("a .gitattributes that export-ignores itself hides its other rules: the archive is not trusted", async () => {
    const fake = new FakeGithub().install();
    // The archive git writes applies export-subst to every .py file, so f0.py differs from the commit.
    const files = commit(fake, { ".gitattributes": ".gitattributes export-ignore\n*.py export-subst\n" });
    const exported = new Map(Object.entries(files).filter(([p]) => p !== ".gitattributes"));
    exported.set("pkg/f0.py", "N = 0  # substituted by git archive\n");
    fake.archives.set(HEAD, await githubTarball(OWNER, REPO, HEAD, exported));
    const blobs = new BlobReader(octokit(), { owner: OWNER, repo: REPO });
    blobs.limitTo(HEAD, new Set(["pkg", "README.md", "setup.cfg", ".gitattributes"]));
    const read = await blobs.readMany(HEAD, many(120));
    expect(text(read.get("pkg/f0.py"))).toBe(files["pkg/f0.py"]);
    expect(blobQueries(fake)).toBe(2);
  });

  test("an over-cap, foreign or broken archive falls back to blob queries: every file read, nothing lost", async () => {
    const cases: Array<[string, (fake: FakeGithub, files: Record<string, string>) => Promise<void>]> = [
      ["another commit's (pax comment)", async (fake, files) => void fake.archives.set(HEAD, await githubTarball(OWNER, REPO, HEAD, new Map(Object.entries(files)), [], { comment: BASE }))],
      ["no owner-repo-<sha> directory", async (fake) => void fake.archives.set(HEAD, await githubTarball(OWNER, REPO, BASE, new Map([["pkg/f0.py", "N = 0\n"]])))],
      ["not gzip", async (fake) => void fake.archives.set(HEAD, Buffer.from("<html>Service Unavailable</html>"))],
      ["cut short", async (fake, files) => void fake.archives.set(HEAD, (await githubTarball(OWNER, REPO, HEAD, new Map(Object.entries(files)))).subarray(0, 600))],
      ["gzip of no tar", async (fake) => void fake.archives.set(HEAD, gzipSync(Buffer.alloc(4096, "x")))],
    ];
    for (const [what, prepare] of cases) {
      nock.cleanAll();
      const fake = new FakeGithub().install();
      const files = commit(fake);
      await prepare(fake, files);
      const blobs = new BlobReader(octokit(), { owner: OWNER, repo: REPO });
      const warnings: string[] = [];
      blobs.log = { info: () => {}, warn: (o) => void warnings.push(JSON.stringify(o)) };
      const read = await blobs.readMany(HEAD, many(120));
      expect([what, [...read].filter(([, b]) => b === undefined)]).toEqual([what, []]);
      expect([what, text(read.get("pkg/f119.py"))]).toEqual([what, "N = 119\n"]);
      expect([what, blobQueries(fake), warnings.length]).toEqual([what, 2, 1]);
    }
  });

  test("readArchive keeps the asked files past the kept-bytes budget, and only the size past maxBytes", async () => {
    const fake = new FakeGithub().install();
    commit(fake, { "pkg/big.py": "#".repeat(5000) });
    const archive = await readArchive(octokit(), { owner: OWNER, repo: REPO }, HEAD, {
      wanted: new Set(["pkg/f1.py", "pkg/big.py"]),
      maxBytes: 1000,
      limits: { ...ARCHIVE_LIMITS, keptBytes: 10 },
    });
    expect(archive.answer("pkg/f1.py", 1000)).toEqual({ byteSize: 6, bytes: Buffer.from("N = 1\n") });
    expect(archive.answer("pkg/big.py", 1000)).toEqual({ byteSize: 5000 });
    expect(archive.answer("pkg/f2.py", 1000)).toBe(ASK); // past the budget: known, not kept
    expect(archive.answer("pkg/nothing.py", 1000)).toBeUndefined();
    await expect(readArchive(octokit(), { owner: OWNER, repo: REPO }, HEAD, { wanted: new Set(), maxBytes: 1000, limits: { ...ARCHIVE_LIMITS, downloadBytes: 100 } })).rejects.toThrow(ArchiveUnusable);
  });

  test("a download that stalls ends at the time limit: ArchiveUnusable, never a hang", async () => {
    const stalled = new Readable({ read() {} });
    stalled.push(gzipSync(Buffer.alloc(10_000)).subarray(0, 100)); // the first bytes, then nothing
    nock("https://codeload.github.com").get(/.*/).reply(200, () => stalled);
    const fake = new FakeGithub().install();
    commit(fake);
    const started = performance.now();
    await expect(readArchive(octokit(), { owner: OWNER, repo: REPO }, HEAD, { wanted: new Set(), maxBytes: 1000, timeoutMs: 300 })).rejects.toThrow(/could not be read/);
    expect(performance.now() - started).toBeLessThan(5000);
    stalled.destroy();
  });

  test("readArchive: links and devices are left to a blob query; names that climb out or are absolute are no files", async () => {
    const fake = new FakeGithub().install();
    const files = commit(fake);
    const hostile: TarEntry[] = [
      { name: `${TOP}/../escape.py`, content: "x = 1\n" },
      { name: `${TOP}/pkg/./dot.py`, content: "x = 1\n" },
      { name: "/etc/absolute.py", content: "x = 1\n" },
      { name: `${TOP}/pkg/link.py`, type: "symlink", linkname: "/etc/passwd" },
      { name: `${TOP}/pkg/hard.py`, type: "link", linkname: `${TOP}/pkg/f0.py` },
      { name: `${TOP}/pkg/fifo.py`, type: "fifo" },
    ];
    fake.archives.set(HEAD, await githubTarball(OWNER, REPO, HEAD, new Map(Object.entries(files)), hostile));
    const archive = await readArchive(octokit(), { owner: OWNER, repo: REPO }, HEAD, { wanted: new Set(), maxBytes: 1000 });
    for (const path of ["pkg/link.py", "pkg/hard.py", "pkg/fifo.py"]) expect([path, archive.answer(path, 1000)]).toEqual([path, ASK]);
    for (const path of ["escape.py", "../escape.py", "etc/absolute.py", "/etc/absolute.py", "pkg/dot.py"]) expect([path, archive.answer(path, 1000)]).toEqual([path, undefined]);
    expect(archive.answer("pkg/f0.py", 1000)).toEqual({ byteSize: 6, bytes: Buffer.from("N = 0\n") });
  });
});

describe("archiveFidelity", () => {
  test("export-ignore means omissions; altering attributes match by file name; unset ones do not count", () => {
    const f = archiveFidelity(["# comment\n/docs export-ignore\nsrc/pkg/_version.py export-subst\n*.txt -export-subst\n*.bat eol=crlf\n"]);
    expect(f.omits).toBe(true);
    expect(f.altered("src/pkg/_version.py")).toBe(true);
    expect(f.altered("other/_version.py")).toBe(true); // by name: more than git would, never fewer
    expect(f.altered("notes.txt")).toBe(false);
    expect(f.altered("run.bat")).toBe(true);
    expect(f.altered("src/pkg/mod.py")).toBe(false);
    expect(archiveFidelity(["* text=auto\n*.py diff=python\n"])).toMatchObject({ omits: false });
    expect(archiveFidelity(["[attr]versioned export-subst\n"]).altered("any.py")).toBe(true);
  });
});
