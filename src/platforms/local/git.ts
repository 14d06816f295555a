/** `--base REF`: the lines the working tree changed since the merge base of REF and HEAD. */
import { execFile } from "node:child_process";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import type { ChangedLines } from "../../diff/changed-lines.js";
import type { ProjectFiles } from "../../python/project-files.js";
import { parseUnifiedDiff } from "../../diff/unified.js";

const run = promisify(execFile);

/**
 * Diff options that hold whatever the user's git config says: fixed `a/` `b/` prefixes (against
 * diff.noprefix and diff.mnemonicPrefix), no colour, no external diff or textconv drivers.
 */
const DIFF = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", "--find-renames"];

export class GitError extends Error {}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", ["-c", "core.quotepath=off", ...args], { cwd, maxBuffer: 512 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new GitError(`git ${args.join(" ")} failed${stderr ? `: ${stderr.split("\n")[0]}` : ""}`);
  }
}

export async function repositoryRoot(directory: string): Promise<string> {
  return (await git(directory, ["rev-parse", "--show-toplevel"])).trim();
}

export async function mergeBase(repoRoot: string, base: string): Promise<string> {
  return (await git(repoRoot, ["merge-base", base, "HEAD"])).trim();
}

/** Changed lines keyed by paths relative to the repository root; `since` is the merge base, when the caller has it. */
export async function changedSinceBase(repoRoot: string, base: string, since?: string): Promise<ChangedLines> {
  // The diff and the untracked files at once: each is a process of its own.
  const [diff, untracked] = await Promise.all([
    (async () => git(repoRoot, [...DIFF, since ?? (await mergeBase(repoRoot, base)), "--"]))(),
    git(repoRoot, ["ls-files", "--others", "--exclude-standard", "-z"]),
  ]);
  const changed = parseUnifiedDiff(diff);
  for (const path of untracked.split("\0")) if (path) changed.addWholeFile(path);
  return changed;
}

/** Lines added to the index (what a pre-commit hook checks). */
export async function stagedChanges(repoRoot: string): Promise<ChangedLines> {
  return parseUnifiedDiff(await git(repoRoot, [...DIFF, "--cached", "--"]));
}

/**
 * The files of one revision (`git show REV:path`), with paths relative to `directory` as the CLI's
 * analysis sees them: what the change's base looked like, to tell moved findings from new ones.
 */
export class GitRevisionFiles implements ProjectFiles {
  constructor(
    private readonly repoRoot: string,
    private readonly revision: string,
    private readonly directory: string,
  ) {}

  async readText(path: string): Promise<string | undefined> {
    const inRepo = relative(this.repoRoot, join(this.directory, ...path.split("/"))).split(sep).join("/");
    if (inRepo.startsWith("..")) return undefined;
    return git(this.repoRoot, ["show", `${this.revision}:${inRepo}`]).catch(() => undefined);
  }
}
