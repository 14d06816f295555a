/**
 * `.eventlet-review.yaml`: the one repository config file. Strict: an unknown key is an error that
 * names it, so a typo never silently turns a rule back on.
 */
import { z } from "zod";
import { SEVERITIES } from "../model/finding.js";
import { globComplexityProblem } from "./glob-safety.js";
import { DEFAULT_ENTRY_POINTS, DEFAULT_PATCH_MODULES, DEFAULT_TEST_PATHS, DEFAULT_WSGI_MODULES, GITHUB_RECHECK_ROLES } from "./defaults.js";

const severity = z.enum(SEVERITIES);
const ruleSetting = z.union([
  z.enum(["on", "off", ...SEVERITIES]),
  z.boolean(),
  z.object({ enabled: z.boolean().optional(), severity: severity.optional() }).strict(),
]);
/** One glob, refused at load when it could make matching a hostile path backtrack for minutes. */
const glob = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = globComplexityProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: `the glob "${value}" ${problem}` });
  });
const globs = z.array(glob);

export { DEFAULT_ENTRY_POINTS, DEFAULT_EXCLUDE, DEFAULT_PATCH_MODULES, DEFAULT_TEST_PATHS, DEFAULT_WSGI_MODULES, GITHUB_RECHECK_ROLES } from "./defaults.js";

const concurrencyModel = z.enum(["auto", "eventlet", "threading"]);
const version = z.union([z.string().regex(/^\d+(\.\d+)*$/, "versions look like 0.36.1"), z.number().transform(String)]);

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
    /**
     * A bare `# noqa` is flake8's (OpenStack puts it on patch lines for E402/E702) and hides none of
     * our findings; `true` gives it flake8's meaning: every finding on the line.
     */
    blanket_noqa: z.boolean().default(false),
    /** Files larger than this many bytes are skipped with a notice. */
    max_file_bytes: z.number().int().positive().default(2 * 1024 * 1024),
    /** The concurrency model: one for the whole tree, or per path glob (first match wins); `auto` detects it. */
    concurrency: z.union([concurrencyModel, z.record(z.string().min(1), concurrencyModel)])
      .superRefine((value, ctx) => {
        // Checked here, not on the record's key schema: inside the union zod would only say "Invalid input".
        if (typeof value !== "object") return;
        for (const key of Object.keys(value)) {
          const problem = globComplexityProblem(key);
          if (problem) ctx.addIssue({ code: "custom", path: [key], message: `the glob "${key}" ${problem}` });
        }
      })
      .optional(),
    /** Versions in use, when the requirement files do not say (or say something else than what runs). */
    versions: z
      .object({ eventlet: version.optional(), "oslo.messaging": version.optional(), "oslo.service": version.optional() })
      .strict()
      .optional(),
    /** The GitHub App (and the GitHub Actions mode, which publishes the same way). */
    github: z
      .object({
        /** Review with REQUEST_CHANGES instead of COMMENT when a finding is at or above fail_level. */
        request_changes: z.boolean().default(false),
        /** Review draft pull requests too; by default they wait for "ready for review". */
        review_drafts: z.boolean().default(false),
        /** Open inline comments of ours on a pull request at a time; the rest are listed in the check run. */
        max_inline_comments: z.number().int().min(0).max(100).default(30),
        /** Who may ask for a recheck: `author` (of the pull request) and repository roles. */
        recheck_allowed: z.array(z.enum(GITHUB_RECHECK_ROLES)).default(["author", "write", "maintain", "admin"]),
      })
      .strict()
      .prefault({}),
    /** The Gerrit bot: work-in-progress and private changes wait for review unless these say otherwise. */
    gerrit: z
      .object({
        review_work_in_progress: z.boolean().default(false),
        review_private: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type RuleSetting = z.infer<typeof ruleSetting>;
