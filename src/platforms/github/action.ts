/**
 * `eventlet-review github`: the GitHub App's review, run inside GitHub Actions with the job's token.
 *
 * The event comes from GITHUB_EVENT_PATH (pull_request, pull_request_target, or an issue_comment with
 * `/eventlet-review recheck`); the review goes through the App's own code (`reviewPullRequest`: the same
 * ChangeSource, publisher, check run, fingerprints and thread resolution), only authenticated with
 * GITHUB_TOKEN through @octokit/rest. When the token cannot write (a pull request from a fork gets a
 * read-only token: 403 on the first write), findings become workflow annotations and a SARIF file.
 */
import { toolVersion } from "../../model/version.js";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { SEVERITIES, type Finding, type Notice, type Severity } from "../../model/finding.js";
import { ConfigError } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { formatSarif } from "../../formats/sarif.js";
import { pullRequestTarget, recheckTarget, requestFor } from "./targets.js";
import { PermissionCache } from "./permissions.js";
import { errorStatus, throttleOptions, type GithubOctokit } from "./octokit.js";
import { reviewPullRequest, type ReviewOutcome, type ReviewRequest } from "./run.js";
import { GithubChangeSource } from "./source.js";
import { actionSummary } from "../../review/summary.js";
import { readChangeConfig, reviewChange } from "../../review/review.js";
import type { ConfigFile } from "../../review/change-source.js";
import { ALL_RULES } from "../../rules/index.js";
import { isTransient, type Logger } from "../adapter.js";
import { describeFailure, networkFailure } from "../failure.js";

export const REPORTERS = ["review", "check", "annotations"] as const;
export type Reporter = (typeof REPORTERS)[number];

export interface ActionIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ActionOptions {
  reporter: Reporter;
  /** Overrides the config's `fail_level` (the check run's conclusion and the exit status follow it). */
  failLevel?: Severity;
  /** The config file in the repository, read at the pull request's base revision. */
  configPath?: string;
  /** Where annotations mode writes SARIF (relative to the workspace). */
  sarifFile?: string;
  /** Extra Octokit options (tests turn retries and throttling off). */
  octokit?: Record<string, unknown>;
}

/** A usage or environment problem: exit status 2. */
export class ActionError extends Error {}

const DEFAULT_CONFIG = ".eventlet-review.yaml";

/** Workflow command data: `%`, CR and LF escaped (GitHub's toolkit `escapeData`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow command property values: also `:` and `,` (GitHub's toolkit `escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const COMMAND: Record<Severity, "error" | "warning" | "notice"> = { error: "error", warning: "warning", info: "notice" };
/** GitHub shows at most 10 error, 10 warning and 10 notice annotations of a step. */
export const ANNOTATIONS_PER_KIND = 10;

/** One `::error file=…,line=…::` line per finding, with its span and rule as the title. */
export function annotationCommand(f: Finding): string {
  const props = [
    `file=${escapeProperty(f.path)}`,
    `line=${f.line}`,
    `endLine=${f.endLine}`,
    ...(f.line === f.endLine ? [`col=${f.column}`, `endColumn=${f.endColumn}`] : []),
    `title=${escapeProperty(`${f.rule} ${f.name}`)}`,
  ];
  return `::${COMMAND[f.severity]} ${props.join(",")}::${escapeData(`${f.message} (${f.section.title}: ${f.section.url})`)}`;
}

/** Log lines as workflow commands: warnings and errors show up in the run's summary. */
function actionLogger(io: ActionIo, bindings: Record<string, unknown> = {}): Logger {
  const line = (obj: object | string, msg?: string) => {
    const text = typeof obj === "string" ? obj : (msg ?? "");
    const err = typeof obj === "object" && obj !== null ? (obj as { err?: unknown; error?: unknown }).err ?? (obj as { error?: unknown }).error : undefined;
    const detail = err instanceof Error ? `: ${err.message}` : typeof err === "string" ? `: ${err}` : "";
    return escapeData(`${text}${detail}`);
  };
  return {
    debug: (obj, msg) => io.stdout(`::debug::${line(obj, msg)}\n`),
    info: (obj, msg) => io.stdout(`${line(obj, msg)}\n`),
    warn: (obj, msg) => io.stdout(`::warning::${line(obj, msg)}\n`),
    error: (obj, msg) => io.stdout(`::error::${line(obj, msg)}\n`),
    child: (more) => actionLogger(io, { ...bindings, ...more }),
  };
}

export function actionOctokit(token: string, baseUrl: string, log: Logger, extra: Record<string, unknown> = {}): GithubOctokit {
  const ActionOctokit = Octokit.plugin(retry, throttling);
  const options: Record<string, unknown> = {
    auth: token,
    baseUrl,
    userAgent: "eventlet-review-action",
    throttle: throttleOptions(log),
    // Octokit logs every failed request on console.error; a refused write (fork) is expected here.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log.warn(m), error: (m: string) => log.debug(m) },
    ...extra,
  };
  return new ActionOctokit(options) as unknown as GithubOctokit;
}

/**
 * The pull request as the review reads it, with the config taken from `configPath` at the base revision
 * and the Action's fail-level written over the config's.
 */
export class ActionChangeSource extends GithubChangeSource {
  private config?: Promise<ConfigFile[]>;

  constructor(
    private readonly client: GithubOctokit,
    pr: ReviewRequest,
    private readonly configPath: string,
    private readonly onMissingConfig: (path: string) => void = () => {},
  ) {
    super(client, pr);
  }

  override readBaseConfig(): Promise<ConfigFile[]> {
    this.config ??= this.read();
    return this.config;
  }

  private async read(): Promise<ConfigFile[]> {
    if (this.configPath === DEFAULT_CONFIG) return super.readBaseConfig(); // every candidate, as the App
    try {
      const response = await this.client.rest.repos.getContent({
        owner: this.pr.owner,
        repo: this.pr.repo,
        path: this.configPath,
        ref: this.pr.baseSha,
        mediaType: { format: "raw" },
      });
      const data = response.data as unknown;
      if (typeof data === "string") return [{ name: this.configPath, text: data }];
      if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return [{ name: this.configPath, text: new TextDecoder().decode(data as ArrayBuffer) }];
      throw new ActionError(`${this.configPath} at the base revision is not a file`);
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
      this.onMissingConfig(this.configPath);
      return [];
    }
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Target {
  request: ReviewRequest;
  /** The recheck comment to acknowledge with a reaction. */
  commentId?: number;
}

async function readEvent(env: NodeJS.ProcessEnv): Promise<{ name: string; payload: Json }> {
  const name = env.GITHUB_EVENT_NAME;
  const path = env.GITHUB_EVENT_PATH;
  if (!name || !path) throw new ActionError("GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: run this inside GitHub Actions");
  try {
    return { name, payload: JSON.parse(await readFile(path, "utf8")) as Json };
  } catch (error) {
    throw new ActionError(`cannot read the event payload at GITHUB_EVENT_PATH: ${(error as Error).message}`);
  }
}

function repository(payload: Json, env: NodeJS.ProcessEnv): { owner: string; repo: string } {
  const full: string | undefined = payload.repository?.full_name ?? env.GITHUB_REPOSITORY;
  const [owner, repo] = (full ?? "").split("/");
  if (!owner || !repo) throw new ActionError("the event names no repository (GITHUB_REPOSITORY is not set either)");
  return { owner, repo };
}

/** The pull request an event asks to review, or why there is nothing to do: the App's own steps (targets.ts). */
async function target(
  octokit: GithubOctokit,
  event: { name: string; payload: Json },
  env: NodeJS.ProcessEnv,
  options: ActionOptions,
  log: Logger,
): Promise<Target | { skip: string }> {
  const { name, payload } = event;
  const { owner, repo } = repository(payload, env);
  if (name === "pull_request" || name === "pull_request_target") {
    const pr = payload.pull_request;
    if (!pr) throw new ActionError(`the ${name} event has no pull_request`);
    const found = pullRequestTarget(name, payload.action, pr);
    if ("skip" in found) return found;
    return { request: requestFor(owner, repo, found.pr) };
  }
  if (name === "issue_comment") {
    const { comment, issue } = payload;
    if (payload.action !== "created" || !issue?.pull_request || !comment) return { skip: "not a new comment on a pull request" };
    const found = await recheckTarget(octokit, owner, repo, issue.number, comment, {
      readConfig: (request) => readChangeConfig(new ActionChangeSource(octokit, request, options.configPath ?? DEFAULT_CONFIG)),
      permissions: new PermissionCache(),
    });
    if ("skip" in found) return found;
    if (found.refusal !== undefined) {
      log.info(`recheck refused: ${found.refusal} (github.recheck_allowed)`);
      return { skip: "the commenter may not ask for a recheck" };
    }
    return { request: found.request, commentId: comment.id };
  }
  return { skip: `eventlet-review reviews pull_request, pull_request_target and issue_comment events, not ${name}` };
}

/** GITHUB_OUTPUT lines (`name=value`); ignored outside Actions. */
async function setOutputs(env: NodeJS.ProcessEnv, outputs: Record<string, string>): Promise<void> {
  if (!env.GITHUB_OUTPUT) return;
  await appendFile(env.GITHUB_OUTPUT, Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join(""));
}

/** The review as annotations, a SARIF file and a job summary: nothing is written to GitHub. */
async function annotate(
  octokit: GithubOctokit,
  request: ReviewRequest,
  io: ActionIo,
  options: ActionOptions,
  log: Logger,
): Promise<{ code: number; findings: number; sarif: string }> {
  const missing: Notice[] = [];
  const source = new ActionChangeSource(octokit, request, options.configPath ?? DEFAULT_CONFIG, (path) =>
    missing.push({ path, message: "config file not found at the base revision; using the defaults" }),
  );
  let result;
  try {
    result = await reviewChange(source, { config: overrideFor(options)(await readChangeConfig(source)) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stdout(`::error file=${escapeProperty(options.configPath ?? DEFAULT_CONFIG)},title=Invalid eventlet-review config::${escapeData(error.message)}\n`);
    return { code: 1, findings: 0, sarif: "" };
  }
  const notices = [...missing, ...result.notices];
  // A step shows at most 10 annotations of each kind; the rest would vanish without a word.
  const shown = { error: 0, warning: 0, notice: 0 };
  let hidden = 0;
  const emit = (kind: keyof typeof shown, line: string) => {
    if (shown[kind] >= ANNOTATIONS_PER_KIND) hidden++;
    else {
      shown[kind]++;
      io.stdout(`${line}\n`);
    }
  };
  for (const f of result.findings) emit(COMMAND[f.severity], annotationCommand(f));
  for (const n of notices) emit("notice", `::notice file=${escapeProperty(n.path)},title=eventlet-review::${escapeData(n.message)}`);

  const sarif = resolve(io.env.GITHUB_WORKSPACE ?? io.cwd, options.sarifFile ?? "eventlet-review.sarif");
  if (hidden > 0) {
    log.info(`eventlet-review: ${hidden} more annotation${hidden === 1 ? "" : "s"} not shown (a step shows at most ${ANNOTATIONS_PER_KIND} of each kind); every finding is in ${sarif}`);
  }
  await writeFile(sarif, `${formatSarif(result.findings, ALL_RULES, [], toolVersion(), notices)}\n`);
  const n = result.findings.length;
  log.info(`eventlet-review: ${n} finding${n === 1 ? "" : "s"} on the lines pull request #${request.pullNumber} adds; SARIF written to ${sarif}`);
  if (io.env.GITHUB_STEP_SUMMARY) {
    await appendFile(io.env.GITHUB_STEP_SUMMARY, actionSummary(result));
  }
  return { code: result.outcome === "fail" ? 1 : 0, findings: n, sarif };
}

/** The `fail-level` input overrides the repository config's, as `--fail-level` does for the CLI's check. */
function overrideFor(options: ActionOptions): (config: Config) => Config {
  const failLevel = options.failLevel;
  return failLevel === undefined ? (config) => config : (config) => ({ ...config, fail_level: failLevel });
}

/** Runs the Action; returns the exit status (0 clean or below the fail level, 1 fail, 2 usage). */
export async function runGithubAction(io: ActionIo, options: ActionOptions): Promise<number> {
  const log = actionLogger(io);
  const event = await readEvent(io.env);
  const token = io.env.GITHUB_TOKEN;
  if (!token) throw new ActionError("GITHUB_TOKEN is not set: pass `github-token` (default: the job's token)");
  const octokit = actionOctokit(token, io.env.GITHUB_API_URL ?? "https://api.github.com", log, options.octokit);

  const found = await target(octokit, event, io.env, options, log);
  if ("skip" in found) {
    log.info(`eventlet-review: ${found.skip}; nothing to do.`);
    await setOutputs(io.env, { findings: "0", reporter: "none" });
    return 0;
  }
  const { request, commentId } = found;

  if (options.reporter !== "annotations") {
    if (commentId !== undefined) {
      await octokit.rest.reactions
        .createForIssueComment({ owner: request.owner, repo: request.repo, comment_id: commentId, content: "eyes" })
        .catch((error: unknown) => log.debug({ err: error }, "could not react to the recheck comment"));
    }
    const source = new ActionChangeSource(octokit, request, options.configPath ?? DEFAULT_CONFIG, (path) =>
      log.warn(`${path} is not in the repository at the base revision; using the default configuration`),
    );
    let outcome: ReviewOutcome;
    try {
      outcome = await reviewPullRequest(octokit, request, {
        logger: log,
        source,
        publisher: { inlineComments: options.reporter === "review" },
        override: overrideFor(options),
      });
    } catch (error) {
      if (errorStatus(error) !== 403) throw error;
      // Said once: a pull request from a fork runs with a read-only token.
      log.warn(
        "The token cannot write to this repository (a pull request from a fork gets a read-only GITHUB_TOKEN): " +
          "reporting the findings as workflow annotations and a SARIF file instead of a review and a check run.",
      );
      const fallback = await annotate(octokit, request, io, options, log);
      await setOutputs(io.env, { findings: String(fallback.findings), reporter: "annotations", "sarif-file": fallback.sarif });
      return fallback.code;
    }
    if (outcome.status === "skipped") {
      log.info(`eventlet-review: ${outcome.reason === "draft" ? "draft pull request; comment `/eventlet-review recheck` to review it now" : outcome.reason}.`);
      await setOutputs(io.env, { findings: "0", reporter: options.reporter });
      return 0;
    }
    if (outcome.status === "config-error") {
      io.stdout(`::error title=Invalid eventlet-review config::${escapeData(outcome.message)}\n`);
      return 1;
    }
    const { report } = outcome;
    log.info(
      `eventlet-review: ${outcome.findings} finding${outcome.findings === 1 ? "" : "s"}; check run ${report.conclusion}` +
        (options.reporter === "review" ? `, ${report.posted} new inline comment${report.posted === 1 ? "" : "s"}, ${report.resolved} resolved` : "") +
        ".",
    );
    await setOutputs(io.env, { findings: String(outcome.findings), reporter: options.reporter });
    return report.conclusion === "failure" ? 1 : 0;
  }

  const result = await annotate(octokit, request, io, options, log);
  await setOutputs(io.env, { findings: String(result.findings), reporter: "annotations", "sarif-file": result.sarif });
  return result.code;
}

export function parseReporter(value: string | undefined): Reporter {
  const reporter = (value ?? "review") as Reporter;
  if (!REPORTERS.includes(reporter)) throw new ActionError(`--reporter must be one of ${REPORTERS.join(", ")}`);
  return reporter;
}

export function parseFailLevel(value: string | undefined): Severity | undefined {
  if (value === undefined || value === "") return undefined;
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new ActionError(`--fail-level must be one of ${SEVERITIES.join(", ")}`);
  return value as Severity;
}

const USAGE = `Usage: eventlet-review github [--reporter review|check|annotations] [--fail-level info|warning|error]
                              [--config PATH] [--sarif FILE]

Inside GitHub Actions: reviews the pull request of the event in GITHUB_EVENT_PATH with GITHUB_TOKEN.
review       a check run and a review with inline comments (the GitHub App's behaviour; default)
check        the check run only
annotations  workflow annotations and a SARIF file; nothing is written to GitHub (also the fallback
             when the token is read-only, as for pull requests from forks)
`;

/** The `github` subcommand: exit 0 clean or below the fail level, 1 at the fail level, 2 usage. */
export async function githubCommand(args: string[], io: ActionIo, extra: Pick<ActionOptions, "octokit"> = {}): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        reporter: { type: "string" },
        "fail-level": { type: "string" },
        config: { type: "string" },
        sarif: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (positionals.length) throw new ActionError(`unexpected argument ${positionals[0]}`);
    return await runGithubAction(io, {
      reporter: parseReporter(values.reporter || undefined),
      failLevel: parseFailLevel(values["fail-level"]),
      configPath: values.config || undefined,
      sarifFile: values.sarif || undefined,
      ...extra,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof ActionError || code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`eventlet-review github: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    // GitHub refused or could not be reached: one line with what was asked and why, exit 2 (1 means findings).
    // A 5xx or a network failure arrives wrapped in the TransientError the App's queue retries (run.ts).
    const apiError = isTransient(error) && error.cause !== undefined ? error.cause : error;
    const status = errorStatus(apiError);
    if (status !== undefined) {
      const request = (apiError as { request?: { method?: string; url?: string } }).request;
      const what = status === "network" ? `network error (${networkFailure(apiError)})` : `HTTP ${status}`;
      const where = request?.method && request.url ? ` on ${request.method} ${request.url}` : "";
      io.stderr(`eventlet-review github: GitHub API error: ${what}${where}: ${describeFailure(apiError).split("\n")[0]}\n`);
      return 2;
    }
    throw error;
  }
}
