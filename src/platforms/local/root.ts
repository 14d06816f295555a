/**
 * The project root of a local checkout: where roles and globs are judged from, whatever PATH was
 * given. `check widget/cmd` must see `widget/cmd/__init__.py` as the command package it is, not as a
 * root package, so the root is the directory holding the config, else the nearest Python project
 * (pyproject.toml, setup.cfg, setup.py), else the git top, else the PATH itself.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { CONFIG_FILE_NAMES } from "../../config/defaults.js";

const PROJECT_MARKERS = ["pyproject.toml", "setup.cfg", "setup.py"];

/** `start` and its parents up to (and including) the git top, or up to the filesystem root. */
function upToGitTop(start: string): { dirs: string[]; gitTop?: string } {
  const dirs: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    dirs.push(dir);
    if (existsSync(join(dir, ".git"))) return { dirs, gitTop: dir };
    if (dirname(dir) === dir) return { dirs };
  }
}

/** `start` and its parents, nearest first, up to and including the git top (else up to the filesystem root). */
export function dirsUpToGitTop(start: string): string[] {
  return upToGitTop(start).dirs;
}

/** The nearest directory from `start` up that holds `.git` (a directory, or a worktree's file), found without running git. */
export function gitTop(start: string): string | undefined {
  return upToGitTop(start).gitTop;
}

/** `configGiven`: `--config FILE` names the config, so its directory says nothing about the root. */
export function projectRoot(start: string, configGiven = false): string {
  const { dirs, gitTop } = upToGitTop(start);
  const holding = (names: string[]) => dirs.find((dir) => names.some((name) => existsSync(join(dir, name))));
  return (configGiven ? undefined : holding(CONFIG_FILE_NAMES)) ?? holding(PROJECT_MARKERS) ?? gitTop ?? start;
}
