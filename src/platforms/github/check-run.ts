/**
 * The check run `eventlet-review` of one head: created completed, with its output and the first 50
 * annotations, in one write (never `in_progress` first: a job that stops is not left running). Only past
 * 50 annotations do updates append the rest, 50 each, as GitHub takes them.
 */
import type { Finding } from "../../model/finding.js";
import type { Outcome } from "../../review/fail-level.js";
import { truncateUtf8 } from "../../review/truncate.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";

export const CHECK_NAME = "eventlet-review";
/** GitHub takes at most 50 annotations per check run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on a check run's `output.summary` and `output.text`, in UTF-8 bytes. */
export const MAX_OUTPUT_BYTES = 65535;

export type Conclusion = "success" | "neutral" | "failure";
export const CONCLUSIONS: Record<Outcome, Conclusion> = { clean: "success", findings: "neutral", fail: "failure" };
const LEVELS = { error: "failure", warning: "warning", info: "notice" } as const;

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/** The requests a check run with `findings` annotations takes. */
export function checkRunWrites(findings: number): number {
  return Math.max(1, Math.ceil(findings / ANNOTATIONS_PER_REQUEST));
}

export class CheckRun {
  constructor(
    private readonly octokit: GithubOctokit,
    private readonly pr: PullRequestRef,
    /** A run created earlier for this head (then it is updated instead). */
    public id?: number,
  ) {}

  /** Completes the run with `output` and every finding as an annotation; returns its id. */
  async complete(conclusion: Conclusion, output: CheckOutput, findings: readonly Finding[]): Promise<number> {
    const cut = { title: output.title, summary: cutOutput(output.summary, "the summary"), ...(output.text !== undefined ? { text: cutOutput(output.text, "the details") } : {}) };
    const annotations = findings.map(annotation);
    const batches: (typeof annotations)[] = [];
    for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    if (batches.length === 0) batches.push([]);
    const done = { status: "completed" as const, conclusion, completed_at: new Date().toISOString() };
    for (const batch of batches) {
      const withOutput = { output: { ...cut, ...(batch.length ? { annotations: batch } : {}) } };
      if (this.id === undefined) {
        const { data } = await this.octokit.rest.checks.create({ ...this.base(), name: CHECK_NAME, head_sha: this.pr.headSha, external_id: String(this.pr.pullNumber), ...done, ...withOutput });
        this.id = data.id;
      } else {
        await this.octokit.rest.checks.update({ ...this.base(), check_run_id: this.id, ...(batch === batches[0] ? done : {}), ...withOutput });
      }
    }
    return this.id!;
  }

  private base() {
    return { owner: this.pr.owner, repo: this.pr.repo };
  }
}

/** A check run's summary and text hold at most 65,535 bytes of UTF-8 each (not characters). */
export function cutOutput(text: string, what: string): string {
  return truncateUtf8(text, MAX_OUTPUT_BYTES, what);
}

export function annotation(f: Finding) {
  const related = (f.related ?? []).map((r) => `\n${r.path}:${r.line}: ${r.message}`).join("");
  return {
    path: f.path,
    start_line: f.line,
    end_line: f.endLine,
    ...(f.line === f.endLine ? { start_column: f.column, end_column: Math.max(f.column, f.endColumn - 1) } : {}),
    annotation_level: LEVELS[f.severity],
    title: `${f.rule} ${f.name}`.slice(0, 255),
    message: `${f.message}${related}`.slice(0, 64000),
    raw_details: f.section.url,
  };
}
