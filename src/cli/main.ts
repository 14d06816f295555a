/** The command line: `eventlet-review check|rules|explain`. Exit 0 clean, 1 findings at fail level, 2 usage. */
import { pathToFileURL } from "node:url";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { relative, resolve, sep } from "node:path";
import { SEVERITIES, type Severity } from "../model/finding.js";
import { ConfigError } from "../config/load.js";
import { renderRulePage } from "../rules/rule-page.js";
import { formatJson } from "../formats/json.js";
import { formatSarif } from "../formats/sarif.js";
import { formatTextFinding, formatTextSummary } from "../formats/text.js";
import { githubCommand } from "../platforms/github/action.js";
import { formatZuulCheck } from "./zuul.js";
import { outcome } from "../review/fail-level.js";
import { ALL_RULES, ruleById } from "../rules/index.js";
import { activeRules } from "../analyzer/analyze.js";
import { runCheck, type CheckResult } from "./check.js";
import { loadConfigFor, UsageError } from "../platforms/local/config.js";
import { GitError, repositoryRoot, stagedChanges } from "../platforms/local/git.js";
import { factsCommand, FACTS_USAGE } from "./facts.js";
import { serve } from "./serve.js";
import { toolVersion } from "../model/version.js";

const USAGE = `Usage:
  eventlet-review check [--format text|json|sarif|zuul] [--base REF | --diff FILE | --staged | --pre-commit]
                        [--config FILE] [--fail-level info|warning|error] [--jobs N|auto] [PATH...]
  eventlet-review rules [--config FILE]
  eventlet-review explain RULE
  eventlet-review github [--reporter review|check|annotations] [--fail-level LEVEL] [--config PATH] [--sarif FILE]
${FACTS_USAGE}
  eventlet-review serve
check      review Python files under each PATH (default: .); with --base, --diff or --staged
           only the lines that change adds are reported
rules      list every rule with its default severity and whether it is on
explain    print a rule's documentation page
github     inside GitHub Actions: review the event's pull request with GITHUB_TOKEN (see README)
facts      print the versions and concurrency models the project runs, with where each came from
serve      answer JSON-lines requests on stdin, one file each (the flake8 plugin's analyzer process)
`;

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

/** `--jobs N|auto`: worker threads for the analysis (default 1: the main thread; see docs/benchmark.md). */
function parseJobs(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === "auto") return availableParallelism();
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--jobs must be a positive number or auto, not "${value}"`);
  return Number(value);
}

/** What `--format` can print: one entry per format, given the finished check. */
type Formatter = (result: CheckResult, io: Io) => void;

const FORMATS: Record<string, Formatter> = {
  text: (result, io) => {
    const color = useColor(io);
    for (const f of result.findings) io.stdout(`${formatTextFinding(f, { color })}\n`);
    // The count closes the findings on stdout; a clean run stays silent there, as flake8's does.
    // A clean run says so only to a person at a terminal, with how many files the pre-filter parsed.
    if (result.findings.length) io.stdout(`${formatTextSummary(result.findings, result.filesChecked)}\n`);
    else if (io.stderrIsTty) io.stderr(`${formatTextSummary(result.findings, result.filesChecked, result.filesParsed)}\n`);
  },
  json: (result, io) => io.stdout(`${formatJson(result.findings, result.notices)}\n`),
  sarif: (result, io) => {
    const roots = result.roots.map((r, i) => ({ id: `PATH${i + 1}`, uri: pathToFileURL(r.directory).href.replace(/\/?$/, "/") }));
    io.stdout(`${formatSarif(result.findings, ALL_RULES, roots, toolVersion(), result.notices)}\n`);
  },
  // Zuul's file_comments (path from the repository top → [{line, message, range}]), for zuul_return.
  zuul: (result, io) => io.stdout(`${formatZuulCheck(result)}\n`),
};

/** Colour only on a terminal, and never when NO_COLOR is set to a non-empty value (no-color.org). */
function useColor(io: Io): boolean {
  return io.stdoutIsTty && !io.env.NO_COLOR;
}

async function check(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "text" },
      base: { type: "string" },
      diff: { type: "string" },
      staged: { type: "boolean", default: false },
      "pre-commit": { type: "boolean", default: false },
      config: { type: "string" },
      "fail-level": { type: "string" },
      jobs: { type: "string" },
    },
  });
  const format = FORMATS[values.format!];
  if (!format) throw new UsageError(`unknown --format ${values.format}: use ${Object.keys(FORMATS).join(", ")}`);
  if ([values.base, values.diff, values.staged || undefined].filter((v) => v !== undefined).length > 1) {
    throw new UsageError("use only one of --base, --diff and --staged");
  }
  if (values.base !== undefined && (values.base === "" || values.base.startsWith("-"))) {
    throw new UsageError(`--base needs a git revision, not "${values.base}"`);
  }
  if (values["pre-commit"] && (values.base !== undefined || values.diff !== undefined || values.staged)) {
    throw new UsageError("--pre-commit decides by itself between staged lines and whole files: drop --base, --diff and --staged");
  }
  const staged = values.staged || (values["pre-commit"] && (await isCommit(positionals, io.cwd)));
  const failLevelFlag = parseSeverity(values["fail-level"], "--fail-level");
  const jobs = parseJobs(values.jobs);
  // Progress goes to stderr, and only when a person watches it: never into CI logs or pipes.
  const showProgress = io.stderrIsTty;
  let lastDraw = 0;
  const result = await runCheck({
    paths: positionals,
    cwd: io.cwd,
    base: values.base,
    diffFile: values.diff,
    staged,
    configPath: values.config,
    readStdin: io.readStdin,
    jobs,
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

  format(result, io);
  const failLevel = failLevelFlag ?? result.config.fail_level;
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

async function rules(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: "string" } } });
  const config = await loadConfigFor(io.cwd, values.config, io.cwd);
  const active = new Map(activeRules(config).map((a) => [a.rule.meta.id, a.severity]));
  for (const rule of ALL_RULES) {
    const severity = active.get(rule.meta.id);
    // The default severity, then the state under the config ("on:error" when the config changes it).
    const state = severity === undefined ? "off" : severity === rule.meta.severity ? "on" : `on:${severity}`;
    io.stdout(`${rule.meta.id}  ${rule.meta.name.padEnd(32)} ${rule.meta.severity.padEnd(8)} ${state.padEnd(10)} ${rule.meta.summary}\n`);
  }
  return 0;
}

function explain(args: string[], io: Io): number {
  const id = args[0];
  if (!id) throw new UsageError("explain needs a rule id, for example: eventlet-review explain EVL104");
  const rule = ruleById(id);
  if (!rule) throw new UsageError(`unknown rule ${id}; eventlet-review rules lists them`);
  io.stdout(renderRulePage(rule));
  return 0;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "check":
        return await check(rest, io);
      case "rules":
        return await rules(rest, io);
      case "explain":
        return explain(rest, io);
      case "github":
        return await githubCommand(rest, io);
      case "facts":
        return await factsCommand(rest, io);
      case "serve":
        return await serve(io.stdin ?? process.stdin, io.stdout, toolVersion(), io.cwd);
      case "--version":
      case "-V":
        io.stdout(`${toolVersion()}\n`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof GitError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`eventlet-review: ${(error as Error).message}\n`);
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) io.stderr(USAGE);
      return 2;
    }
    throw error;
  }
}
