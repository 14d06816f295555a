/**
 * Moved code is not new code (src/review/moved.ts), on the fixture pairs in fixtures/projects/moved/:
 * each scenario is a base tree and the files a change rewrites. Both seams are tested against a real git
 * repository: the CLI's `check --base` and reviewChange over a ChangeSource that reads the base
 * revision (what GitHub and Gerrit implement).
 */
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseUnifiedDiff } from "../../src/diff/unified.js";
import type { ChangedLines } from "../../src/diff/changed-lines.js";
import { DiskProjectFiles } from "../../src/platforms/local/disk.js";
import type { ChangedFile, ChangeSource, ConfigFile } from "../../src/review/change-source.js";
import { reviewChange } from "../../src/review/review.js";
import { cleanup, commitAll, findingsOf, git, GIT_TEST_ENV, initRepo, run, tempDir } from "../cli/helpers.js";

const MOVED = join(process.cwd(), "fixtures", "projects", "moved");

let repo: string;

/** A repository whose HEAD^ is the scenario's base and HEAD the change. */
function scenario(name: string): string {
  repo = tempDir("evr-moved-");
  initRepo(repo);
  cpSync(join(MOVED, name, "base"), repo, { recursive: true });
  commitAll(repo, "base");
  cpSync(join(MOVED, name, "head"), repo, { recursive: true });
  commitAll(repo, "change");
  return repo;
}

afterEach(() => cleanup(repo));

async function cliFindings(dir: string, ...args: string[]): Promise<string[]> {
  const r = await run(["check", "--format", "json", ...args, "."], { cwd: dir });
  return findingsOf(r.stdout).map((f) => `${f.rule} ${f.path}:${f.line}`);
}

/** The change as a platform sees it: the diff, the head files, and the base revision's files. */
class GitChange implements ChangeSource {
  private readonly head: DiskProjectFiles;
  constructor(private readonly dir: string) {
    this.head = new DiskProjectFiles(dir);
  }
  async listFiles(): Promise<ChangedFile[]> {
    return git(this.dir, "diff", "--name-only", "HEAD^", "HEAD")
      .split("\n")
      .filter(Boolean)
      .map((path) => ({ path, status: "modified" as const }));
  }
  async changedLines(): Promise<ChangedLines> {
    return parseUnifiedDiff(git(this.dir, "diff", "-U0", "--find-renames", "HEAD^", "HEAD"));
  }
  readBytes(path: string): Promise<Uint8Array | undefined> {
    return readFile(join(this.dir, path)).catch(() => undefined);
  }
  readText(path: string): Promise<string | undefined> {
    return this.head.readText(path);
  }
  async readBaseConfig(): Promise<ConfigFile[]> {
    return [];
  }
  async readBaseText(path: string): Promise<string | undefined> {
    try {
      const env = { PATH: process.env.PATH, HOME: this.dir, ...GIT_TEST_ENV };
      return execFileSync("git", ["show", `HEAD^:${path}`], { cwd: this.dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      return undefined; // not in the base revision
    }
  }
}

async function reviewed(dir: string, withBase = true): Promise<string[]> {
  const source = new GitChange(dir);
  if (!withBase) Object.defineProperty(source, "readBaseText", { value: undefined });
  const result = await reviewChange(source);
  return result.findings.map((f) => `${f.rule} ${f.path}:${f.line}`);
}

describe("a finding the change only moved is not reported", () => {
  test("a time-only patch moved from library code into the tests' setUp (heat's 2025 change)", async () => {
    const dir = scenario("tests-patch");
    // The rule itself still fires there: only the review of the move is silent.
    expect(await cliFindings(dir)).toContain("EVL104 tern/tests/base.py:13");
    expect(await cliFindings(dir, "--base", "HEAD^")).toEqual([]);
    expect(await reviewed(dir)).toEqual([]);
    // A platform that cannot read the base revision reviews as before.
    expect(await reviewed(dir, false)).toEqual(["EVL104 tern/tests/base.py:13"]);
  });

  test("a command package moved one level down keeps its parent's old late patch to itself (designate's)", async () => {
    const dir = scenario("package-move");
    expect(await cliFindings(dir)).toContain("EVL101 kiln/cmd/eventlet/__init__.py:3");
    expect(await cliFindings(dir, "--base", "HEAD^")).toEqual([]);
    expect(await reviewed(dir)).toEqual([]);
  });

  test("a package __init__ that only reorders its imports leaves the tests package's old late patch alone", async () => {
    const dir = scenario("reorder-parent");
    expect(await cliFindings(dir)).toContain("EVL101 sill/tests/__init__.py:3");
    expect(await cliFindings(dir, "--base", "HEAD^")).toEqual([]);
    expect(await reviewed(dir)).toEqual([]);
  });
});

describe("a move that creates a finding is reported", () => {
  test("a patch moved from a console script into a WSGI module is new there", async () => {
    const dir = scenario("into-wsgi");
    expect(await cliFindings(dir, "--base", "HEAD^")).toEqual(["EVL103 quay/api/wsgi.py:2"]);
    expect(await reviewed(dir)).toEqual(["EVL103 quay/api/wsgi.py:2"]);
  });

  test("an import moved above the patch in the same file makes the patch late", async () => {
    const dir = scenario("import-above");
    expect(await cliFindings(dir, "--base", "HEAD^")).toEqual(["EVL101 dock/cmd/api.py:4"]);
    expect(await reviewed(dir)).toEqual(["EVL101 dock/cmd/api.py:4"]);
  });

  test("a patch moved under a guard while the change writes an import above it is reported (cinder's 2025 change)", async () => {
    const dir = scenario("guarded-patch");
    expect(await cliFindings(dir, "--base", "HEAD^")).toEqual(["EVL101 dock/cmd/volume.py:7"]);
    expect(await reviewed(dir)).toEqual(["EVL101 dock/cmd/volume.py:7"]);
  });
});
