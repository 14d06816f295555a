/**
 * What the config is without a config file, and the constants the schema (./schema.ts) is built on:
 * here without zod, so a run over a tree with no config file never loads the validator (half of the
 * CLI's module start-up). test/config/defaults.test.ts checks defaultConfig against the schema's own
 * defaults.
 */
import type { Config } from "./schema.js";

export const DEFAULT_ENTRY_POINTS = [
  "**/cmd/__init__.py",
  "**/cmd/**/*.py",
  "**/__main__.py",
  "bin/**",
  "tools/**",
  "scripts/**",
  "setup.py",
];
export const DEFAULT_PATCH_MODULES = ["**/monkey_patch.py", "**/monkeypatch.py", "**/eventlet_patch.py"];
export const DEFAULT_TEST_PATHS = ["**/tests/**", "**/test/**", "**/test_*.py", "**/*_test.py", "**/conftest.py", "**/test.py"];
export const DEFAULT_WSGI_MODULES = ["**/wsgi.py", "**/wsgi/**/*.py", "**/wsgi_app.py"];
/**
 * `author` is the pull request's author; the rest are repository roles as GitHub's collaborator
 * permission endpoint names them (`author_association` hides private organisation membership, and
 * MEMBER does not mean write access, so it is not used).
 */
export const GITHUB_RECHECK_ROLES = ["author", "read", "triage", "write", "maintain", "admin"] as const;
export const DEFAULT_EXCLUDE = [
  "**/.tox/**", "**/.venv/**", "**/venv/**", "**/node_modules/**", "**/.git/**", "**/build/**",
  // Sphinx configuration of documentation builds: it never runs in a service.
  "**/doc/**/conf.py", "**/docs/**/conf.py", "**/releasenotes/**/conf.py", "**/api-ref/**/conf.py",
];

export const CONFIG_FILE_NAMES = [".eventlet-review.yaml", ".eventlet-review.yml"];
/** Where a checkout's config may be, in the order they are tried (parsed in ./sources.ts). */
export const CONFIG_SOURCES = [...CONFIG_FILE_NAMES, "pyproject.toml", "setup.cfg", "tox.ini"];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The config with every setting at its default: what the schema makes of `{}`. */
export function defaultConfig(): Config {
  return {
    fail_level: "error",
    rules: {},
    include: ["**/*.py"],
    exclude: [],
    entry_points: [...DEFAULT_ENTRY_POINTS],
    patch_modules: [...DEFAULT_PATCH_MODULES],
    test_paths: [...DEFAULT_TEST_PATHS],
    wsgi_modules: [...DEFAULT_WSGI_MODULES],
    blanket_noqa: false,
    max_file_bytes: 2 * 1024 * 1024,
    github: { request_changes: false, review_drafts: false, max_inline_comments: 30, recheck_allowed: ["author", "write", "maintain", "admin"] },
    gerrit: { review_work_in_progress: false, review_private: false },
  };
}
