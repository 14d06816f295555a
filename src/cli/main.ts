/**
 * The command line: `eventlet-review check|rules|explain`. Exit 0 clean, 1 findings at fail level, 2 usage.
 * The other commands (facts, feedback, github, serve) load their modules when run: a check does not
 * pay for Octokit, the store's database drivers or the service (docs/benchmark.md).
 */
import { pathToFileURL } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { posix, relative, resolve, sep } from "node:path";
import { SEVERITIES, type Severity } from "../model/finding.js";
import { renderRulePage } from "../rules/rule-page.js";
import { formatJson } from "../formats/json.js";
import { formatStatistics, formatTextFinding, formatTextSummary, formatTextWithSource } from "../formats/text.js";
import { outcome } from "../review/fail-level.js";
import { ALL_RULES, ruleById } from "../rules/index.js";
import { activeRules } from "../analyzer/analyze.js";
import { ConfigError, defaultConfig } from "../config/defaults.js";
import { runCheck, type CheckResult } from "./check.js";
import { loadConfigFor, UsageError } from "../platforms/local/config.js";
import { applySelection } from "./selection.js";
import { findingLines } from "./source-lines.js";
import { GitError, repositoryRoot, stagedChanges } from "../platforms/local/git.js";
import { toolVersion } from "../model/version.js";


export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTty: boolean;
  stdoutIsTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard input as text, for `--diff -` (default: the process's stdin). */
  readStdin?: () => Promise<string>;
  /** Standard input as a stream, for `serve` (default: the process's stdin). */
  stdin?: NodeJS.ReadableStream;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTty: !!process.stderr.isTTY,
  stdoutIsTty: !!process.stdout.isTTY,
  env: process.env,
  cwd: process.cwd(),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};

function parseSeverity(value: string | undefined, flag: string): Severity | undefined {
  if (value === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${SEVERITIES.join(", ")}`);
  return value as Severity;
}

/** What `--format` can print: one entry per format, given the finished check. */
type Formatter = (result: CheckResult, io: Io) => void | Promise<void>;

const FORMATS: Record<string, Formatter> = {
  text: (result, io) => {
    const color = useColor(io);
    // As flake8 does: the PATH given joined with the file's path, so an editor opens it from here and
    // several PATHs stay apart (json and sarif keep paths relative to their PATH, as documented).
    const roots = new Map(result.roots.map((r, i) => [`PATH${i + 1}`, r]));
    const shown = (f: CheckResult["findings"][number]) => {
      const root = roots.get(f.root);
      if (!root) return f.path;
      return root.file ? root.given : posix.join(root.given.split(sep).join("/"), f.path);
    };
    for (const f of result.findings) io.stdout(`${formatTextFinding({ ...f, path: shown(f) }, { color })}\n`);
    // The count closes the findings on stdout; a clean run stays silent there, as flake8's does.
    // A clean run says so only to a person at a terminal, with how many files the pre-filter parsed.
    if (result.findings.length) io.stdout(`${formatTextSummary(result.findings, result.filesChecked)}\n`);
    else if (io.stderrIsTty) io.stderr(`${formatTextSummary(result.findings, result.filesChecked, result.filesParsed)}\n`);
  },
  json: (result, io) => io.stdout(`${formatJson(result.findings, result.notices)}\n`),
  // The other formats load their modules when asked for: a check pays only for the one it prints.
  sarif: async (result, io) => {
    const { formatSarif } = await import("../formats/sarif.js");
    const roots = result.roots.map((r, i) => ({ id: `PATH${i + 1}`, uri: pathToFileURL(r.directory).href.replace(/\/?$/, "/") }));
    io.stdout(`${formatSarif(result.findings, ALL_RULES, roots, toolVersion(), result.notices)}\n`);
  },
  // Zuul's file_comments (path from the repository top → [{line, message, range}]), for zuul_return.
  zuul: async (result, io) => io.stdout(`${(await import("./zuul.js")).formatZuulCheck(result)}\n`),
  github: async (result, io) => {
    if (result.findings.length) io.stdout(`${(await import("../formats/github.js")).formatGithub(result.findings)}\n`);
  },
  gitlab: async (result, io) => io.stdout(`${(await import("../formats/gitlab.js")).formatGitlab(result.findings)}\n`),
  junit: async (result, io) => io.stdout(`${(await import("../formats/junit.js")).formatJunit(result.findings)}\n`),
  rdjson: async (result, io) => io.stdout(`${(await import("../formats/rdjson.js")).formatRdjson(result.findings)}\n`),
};

/** Colour only on a terminal, and never when NO_COLOR is set to a non-empty value (no-color.org). */
function useColor(io: Io): boolean {
  return io.stdoutIsTty && !io.env.NO_COLOR;
}

interface CheckFlags {
  outputFormat: string;
  base?: string;
  diff?: string | true;
  staged?: boolean;
  preCommit?: boolean;
  config?: string;
  failLevel?: string;
  jobs?: string;
  cache?: boolean;
  select?: string;
  extendSelect?: string;
  ignore?: string;
  exitZero?: boolean;
  statistics?: boolean;
  showSource?: boolean;
  baseline?: string;
  writeBaseline?: boolean;
  fix?: boolean;
}

async function check(positionals: string[], values: CheckFlags, io: Io): Promise<number> {
  const format = FORMATS[values.outputFormat];
  if (!format) throw new UsageError(`unknown --output-format ${values.outputFormat}: use ${Object.keys(FORMATS).join(", ")}`);
  // With --fix, --diff previews the fixes (Ruff's spelling); otherwise it names a unified diff to scope by.
  const preview = values.fix === true && values.diff !== undefined;
  if (values.diff === true && !values.fix) throw new UsageError("--diff needs a FILE (or - for stdin), unless it previews --fix");
  const diffFile = preview ? undefined : (values.diff as string | undefined);
  if ([values.base, diffFile, values.staged || undefined].filter((v) => v !== undefined).length > 1) {
    throw new UsageError("use only one of --base, --diff and --staged");
  }
  if (values.base !== undefined && (values.base === "" || values.base.startsWith("-"))) {
    throw new UsageError(`--base needs a git revision, not "${values.base}"`);
  }
  if (values.preCommit && (values.base !== undefined || diffFile !== undefined || values.staged)) {
    throw new UsageError("--pre-commit decides by itself between staged lines and whole files: drop --base, --diff and --staged");
  }
  if (values.writeBaseline && !values.baseline) throw new UsageError("--write-baseline needs --baseline FILE to write");
  const staged = values.staged || (values.preCommit && (await isCommit(positionals, io.cwd)));
  const failLevelFlag = parseSeverity(values.failLevel, "--fail-level");
  // --jobs is gone (issue 18): worker threads were never faster than one thread, and the cache is.
  if (values.jobs !== undefined) io.stderr("eventlet-review: --jobs is ignored: one thread analyzes the tree (see docs/benchmark.md)\n");
  const selection = { select: values.select, extendSelect: values.extendSelect, ignore: values.ignore };
  applySelection(defaultConfig(), selection); // a bad code is a usage error before any file is read
  // Progress goes to stderr, and only when a person watches it: never into CI logs or pipes.
  const showProgress = io.stderrIsTty;
  let lastDraw = 0;
  const result = await runCheck({
    paths: positionals,
    cwd: io.cwd,
    base: values.base,
    diffFile,
    staged,
    configPath: values.config,
    readStdin: io.readStdin,
    cache: values.cache !== false,
    adjustConfig: (config) => applySelection(config, selection),
    onProgress: showProgress
      ? (files, findings) => {
          const now = Date.now();
          if (now - lastDraw < 100) return;
          lastDraw = now;
          io.stderr(`\r\x1b[2Kchecked ${files} files, ${findings} findings`);
        }
      : undefined,
  });
  if (showProgress && lastDraw) io.stderr("\r\x1b[2K");
  for (const notice of result.notices) io.stderr(`${notice.path}: ${notice.message}\n`);

  const directoryOf = (root: string) => result.roots[Number(root.slice("PATH".length)) - 1].directory;
  if (values.baseline) {
    // Loaded when asked for: it validates the baseline file with zod, which a plain run never loads.
    const { fingerprintFindings, readBaseline, writeBaseline } = await import("./baseline.js");
    const ids = await fingerprintFindings(result.findings, directoryOf);
    if (values.writeBaseline) {
      await writeBaseline(resolve(io.cwd, values.baseline), result.findings, ids);
      io.stderr(`wrote ${result.findings.length} findings to the baseline ${values.baseline}\n`);
      return 0;
    }
    const known = await readBaseline(resolve(io.cwd, values.baseline));
    const before = result.findings.length;
    result.findings = result.findings.filter((_, i) => !known.has(ids[i]));
    if (before > result.findings.length) io.stderr(`${before - result.findings.length} findings are in the baseline ${values.baseline}\n`);
  }
  if (values.fix) {
    const { applySafeFixes } = await import("./fix.js");
    const fixed = await applySafeFixes(result.findings, directoryOf, preview);
    if (preview) {
      io.stdout(fixed.diff);
      io.stderr(`${fixed.applied} safe fixes would change ${fixed.files} files (nothing written)\n`);
      return 0;
    }
    io.stderr(`applied ${fixed.applied} safe fixes in ${fixed.files} files\n`);
    // What is fixed is no longer a finding: report only what is left.
    result.findings = result.findings.filter((f) => f.fix?.safety !== "safe");
  }

  if (values.statistics) io.stdout(formatStatistics(result.findings));
  else if (values.showSource && values.outputFormat === "text") {
    io.stdout(formatTextWithSource(result.findings, await findingLines(result.findings, directoryOf), { color: useColor(io) }));
    if (result.findings.length) io.stdout(`${formatTextSummary(result.findings, result.filesChecked)}\n`);
  } else await format(result, io);
  const failLevel = failLevelFlag ?? result.config.fail_level;
  if (values.exitZero) return 0;
  return outcome(result.findings, failLevel) === "fail" ? 1 : 0;
}

/**
 * `--pre-commit`: pre-commit passes the files to review and nothing else. On a commit those are the
 * staged files, and the staged lines are what is reviewed; `pre-commit run --all-files` (CI,
 * pre-commit.ci) passes every file, most of them not staged, and then whole files are reviewed.
 */
async function isCommit(files: string[], cwd: string): Promise<boolean> {
  if (!files.length) return false;
  const top = await repositoryRoot(cwd);
  const staged = new Set((await stagedChanges(top)).paths());
  return files.every((file) => staged.has(relative(top, resolve(cwd, file)).split(sep).join("/")));
}

async function rules(configPath: string | undefined, io: Io): Promise<number> {
  const config = await loadConfigFor(io.cwd, configPath, io.cwd);
  const active = new Map(activeRules(config).map((a) => [a.rule.meta.id, a.severity]));
  for (const rule of ALL_RULES) {
    const severity = active.get(rule.meta.id);
    // The default severity, then the state under the config ("on:error" when the config changes it).
    const state = severity === undefined ? "off" : severity === rule.meta.severity ? "on" : `on:${severity}`;
    io.stdout(`${rule.meta.id}  ${rule.meta.name.padEnd(32)} ${rule.meta.severity.padEnd(8)} ${state.padEnd(10)} ${rule.meta.summary}\n`);
  }
  return 0;
}

function explain(id: string, io: Io): number {
  const rule = ruleById(id);
  if (!rule) throw new UsageError(`unknown rule ${id}; eventlet-review rules lists them`);
  io.stdout(renderRulePage(rule));
  return 0;
}

const FORMAT_NAMES = () => Object.keys(FORMATS).join("|");

/**
 * The commands, each with its own --help. Commander parses; the actions run the commands. Its own
 * errors (an unknown option, a missing value) come out as one line and a pointer to --help.
 */
function program(io: Io, done: (code: number | Promise<number>) => void): Command {
  const root = new Command("eventlet-review")
    .description("Eventlet Best Practices review of Python code (OpenStack's eventlet spec and the move off eventlet)")
    .version(toolVersion(), "-V, --version")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  root
    .command("check")
    .description("review Python files under each PATH (default: .); with --base, --diff, --staged or --pre-commit only the lines a change adds are reported")
    .argument("[PATH...]", "files or directories to review")
    .option("--output-format <format>", `how findings are printed: ${FORMAT_NAMES()}`, "text")
    .addOption(new Option("--format <format>", "alias of --output-format").hideHelp())
    .option("--base <ref>", "only lines changed since the merge base of REF and HEAD")
    .option("--diff [file]", "only lines a unified diff adds (- reads stdin); with --fix: preview the fixes as a diff")
    .option("--staged", "only lines added to the git index")
    .option("--pre-commit", "the files given are pre-commit's: staged lines on a commit, whole files with --all-files")
    .option("--config <file>", "the config file (default: .eventlet-review.yaml found from the PATH up)")
    .option("--fail-level <level>", "exit 1 when a finding is at or above: info, warning or error")
    .option("--select <codes>", "only these rules: codes or prefixes, comma-separated (EVL1,EVL301)")
    .option("--extend-select <codes>", "these rules as well as the configured ones")
    .option("--ignore <codes>", "not these rules")
    .option("--exit-zero", "exit 0 even when findings are at the fail level")
    .option("--statistics", "print how many findings each rule has, not the findings")
    .option("--show-source", "print each finding's source line under it (text format)")
    .option("--baseline <file>", "hide the findings listed in FILE (matched by fingerprint, so moved code stays quiet)")
    .option("--write-baseline", "write today's findings to the --baseline FILE and exit 0")
    .option("--fix", "apply the fixes marked safe; with --diff, print them instead")
    .addOption(new Option("--jobs <n>").hideHelp())
    .option("--no-cache", "neither read nor write the results cache (.eventlet-review-cache/ at the project root)")
    .action((paths: string[], values: CheckFlags & { format?: string }) => {
      done(check(paths, { ...values, outputFormat: values.format ?? values.outputFormat }, io));
    });
  root
    .command("rules")
    .description("list every rule with its default severity and whether it is on under your config")
    .option("--config <file>", "the config file")
    .action((values: { config?: string }) => done(rules(values.config, io)));
  root
    .command("explain")
    .description("print a rule's documentation page")
    .argument("<RULE>", "a rule id, for example EVL104")
    .action((id: string) => done(explain(id, io)));
  root
    .command("facts")
    .description("print the versions and concurrency models the project runs, with where each came from")
    .argument("[PATH]", "the project root")
    .option("--format <format>", "text or json", "text")
    .option("--config <file>", "the config file")
    .action((_path: string | undefined, _values: unknown, command: Command) =>
      done(import("./facts.js").then(({ factsCommand }) => factsCommand(command.args.concat(optionArgs(command)), io))),
    );
  root
    .command("feedback")
    .description("per rule: findings, useful and not-useful reports and their ratio, from the service's store")
    .option("--format <format>", "text or json", "text")
    .option("--days <n>", "the window, in days", "30")
    .option("--database <file>", "the SQLite store (default: DATABASE_PATH, else eventlet-review.sqlite)")
    .option("--database-url <url>", "a PostgreSQL store (default: DATABASE_URL)")
    .action((values: { format: string; days: string; database?: string; databaseUrl?: string }) =>
      done(
        import("./feedback.js").then(({ feedbackCommand }) =>
          feedbackCommand(
            ["--format", values.format, "--days", values.days, ...(values.database ? ["--database", values.database] : []), ...(values.databaseUrl ? ["--database-url", values.databaseUrl] : [])],
            io,
          ),
        ),
      ),
    );
  root
    .command("github")
    .description("inside GitHub Actions: review the event's pull request with GITHUB_TOKEN (see README)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action((_values: unknown, command: Command) => done(import("../platforms/github/action.js").then(({ githubCommand }) => githubCommand(command.args, io))));
  root
    .command("serve")
    .description("answer JSON-lines requests on stdin, one file each (the flake8 plugin's analyzer process)")
    .action(() => done(import("./serve.js").then(({ serve }) => serve(io.stdin ?? process.stdin, io.stdout, toolVersion(), io.cwd))));
  return root;
}

/** The options commander parsed for `facts`, back as arguments for its own parser. */
function optionArgs(command: Command): string[] {
  return Object.entries(command.opts<Record<string, string>>()).flatMap(([name, value]) => [`--${name}`, value]);
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (!argv.length) {
    io.stderr("eventlet-review: give a command, for example: eventlet-review check . (add --help for the list)\n");
    return 2;
  }
  let result: number | Promise<number> = 0;
  try {
    await program(io, (code) => (result = code)).parseAsync(argv, { from: "user" });
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander has printed what it had to.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof GitError) {
      io.stderr(`eventlet-review: ${(error as Error).message}\n`);
      if (error instanceof UsageError) io.stderr("(add --help for usage)\n");
      return 2;
    }
    throw error;
  }
}
