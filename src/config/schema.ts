/**
 * `.eventlet-review.yaml`: the one repository config file. Strict: an unknown key is an error that
 * names it, so a typo never silently turns a rule back on.
 */
import { z } from "zod";
import { SEVERITIES } from "../analyzer/types.js";

const severity = z.enum(SEVERITIES);
const ruleSetting = z.union([
  z.enum(["on", "off", ...SEVERITIES]),
  z.boolean(),
  z.object({ enabled: z.boolean().optional(), severity: severity.optional() }).strict(),
]);
const globs = z.array(z.string().min(1));

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
export const DEFAULT_TEST_PATHS = ["**/tests/**", "**/test/**", "**/test_*.py", "**/*_test.py", "**/conftest.py"];
export const DEFAULT_WSGI_MODULES = ["**/wsgi.py", "**/wsgi/**/*.py", "**/wsgi_app.py"];
export const DEFAULT_EXCLUDE = ["**/.tox/**", "**/.venv/**", "**/venv/**", "**/node_modules/**", "**/.git/**", "**/build/**"];

export const configSchema = z
  .object({
    /** Findings at or above this severity fail the run (exit 1, check `failure`, vote -1). */
    fail_level: severity.default("error"),
    /** Per-rule switch: `off`, `on`, a severity, or `{enabled, severity}`. */
    rules: z.record(z.string().regex(/^EVL\d{3}$/, "rule ids look like EVL104"), ruleSetting).default({}),
    include: globs.default(["**/*.py"]),
    exclude: globs.default([]),
    /** Modules that start a program: patching belongs here. Replaces the defaults when given. */
    entry_points: globs.default(DEFAULT_ENTRY_POINTS),
    /** Modules that exist to patch and that entry points import first. */
    patch_modules: globs.default(DEFAULT_PATCH_MODULES),
    /** Test code: a test package `__init__` is an entry point, test modules are never library code. */
    test_paths: globs.default(DEFAULT_TEST_PATHS),
    /** WSGI application code, loaded by mod_wsgi or uwsgi. */
    wsgi_modules: globs.default(DEFAULT_WSGI_MODULES),
    /** Files larger than this many bytes are skipped with a notice. */
    max_file_bytes: z.number().int().positive().default(2 * 1024 * 1024),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type RuleSetting = z.infer<typeof ruleSetting>;
