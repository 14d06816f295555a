/** A captured Io for `main(argv, io)`, throwaway project trees and real git repositories. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { main, type Io } from "../../src/cli/main.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  stdin?: string;
  stdoutIsTty?: boolean;
  stderrIsTty?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function run(argv: string[], options: RunOptions): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTty: options.stdoutIsTty ?? false,
    stderrIsTty: options.stderrIsTty ?? false,
    env: options.env ?? {},
    cwd: options.cwd,
    readStdin: async () => options.stdin ?? "",
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A fresh temporary directory; removed by `cleanup()`. */
export function tempDir(prefix = "evr-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes files (`/`-separated paths → text or bytes) under `root`. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, ...path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/** A fixed identity and no user or system config: git behaves the same on every machine. */
export const GIT_TEST_ENV = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.org",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.org",
};

/** Runs git in `cwd` with GIT_TEST_ENV. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: cwd, ...GIT_TEST_ENV },
  });
}

export function initRepo(dir: string): void {
  git(dir, "init", "-q", "-b", "master");
}

export function commitAll(dir: string, message: string): void {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
}

/** Python that the rules flag, whatever the rest of the tree looks like. */
export const PY = {
  /** EVL301 (warning) at 1:8. */
  mysqldb: "import MySQLdb\n",
  /** EVL101 (error) at 3:1: the patch runs after `import logging`. */
  patchAfterLogging: "import logging\nimport eventlet\neventlet.monkey_patch()\n",
  /** A patch call that runs first: no EVL101. */
  patchFirst: "import eventlet\neventlet.monkey_patch()\n",
  clean: "import os\n\n\ndef f():\n    return os.getcwd()\n",
};

export function findingsOf(json: string): { rule: string; path: string; line: number; severity: string }[] {
  return (JSON.parse(json) as { findings: { rule: string; path: string; line: number; severity: string }[] }).findings;
}
