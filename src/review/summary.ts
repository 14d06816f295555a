/**
 * The words of a review outside its inline comments: the GitHub review body and check run (title,
 * summary, text), the Gerrit message and the GitHub Action's job summary. One module, so a wording
 * change is one diff here and one reviewed snapshot update (test/review/summary.test.ts).
 */
import type { Finding, Notice } from "../model/finding.js";
import { mdCode, mdText } from "./markdown.js";
import type { ReviewResult } from "./review.js";

/** `text` as a sentence: a capital first letter and a full stop. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** `1 finding`, `2 findings`. */
function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A one-line summary table row set for check runs and review messages. */
export function summaryTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return "No findings on the lines this change adds.";
  const byRule = new Map<string, { name: string; severity: string; count: number; url: string }>();
  for (const f of findings) {
    const row = byRule.get(f.rule) ?? { name: f.name, severity: f.severity, count: 0, url: f.section.url };
    row.count++;
    byRule.set(f.rule, row);
  }
  const rows = [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, r]) => `| ${rule} | ${r.name} | ${r.severity} | ${r.count} | [spec](${r.url}) |`);
  return ["| rule | name | severity | findings | section |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `Runs on threading: neutron (eventlet 0.36.1).`, when the review found facts. */
function factsSentence(result: Pick<ReviewResult, "factsLine">): string[] {
  // Distribution names come from the change's setup.cfg or pyproject.toml.
  return result.factsLine ? [`Runs on ${mdText(result.factsLine)}.`] : [];
}

/** A finding listed in the summary instead of inline, and why (plan.ts NOT_INLINE). */
export interface NotInline {
  finding: Finding;
  why: string;
}

/** What the GitHub publisher did on this run, for the check run's summary. */
export interface GithubActivity {
  posted: number;
  alreadyCommented: number;
  resolved: number;
  dismissed: number;
  /** Threads whose finding is gone that this token may not resolve. */
  unresolvable?: number;
  /** Why GitHub refused to dismiss our request for changes, per refusal. */
  dismissFailed?: string[];
}

/** The body of our GitHub review: how many findings, how many new comments, and their table. */
export function githubReviewBody(result: Pick<ReviewResult, "findings">, posted: readonly Finding[], checkName: string): string {
  return [
    `**eventlet-review**: ${count(result.findings.length, "finding")} on the lines this pull request adds; ` +
      `${count(posted.length, "new inline comment")} below. The \`${checkName}\` check lists them all.`,
    "",
    summaryTable(posted),
  ].join("\n");
}

/** The check run's title: `3 findings: 1 error, 2 warnings`. */
export function checkTitle(findings: readonly Finding[]): string {
  if (findings.length === 0) return "No findings";
  const counts = (["error", "warning", "info"] as const)
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => count(n, s));
  return `${count(findings.length, "finding")}: ${counts.join(", ")}`;
}

/** The check run's summary: the table, what was reviewed at which commit, the facts, what this run did. */
export function checkSummary(result: ReviewResult, headSha: string, stats: GithubActivity): string {
  const parts = [summaryTable(result.findings), ""];
  const files = result.filesReviewed;
  parts.push(
    files === 0
      ? "This pull request touches no Python files that the configuration includes."
      : `Reviewed ${count(files, "Python file")} at \`${headSha.slice(0, 7)}\`; fail level \`${result.config.fail_level}\`.`,
  );
  for (const line of factsSentence(result)) parts.push("", line);
  const activity = [
    stats.posted ? count(stats.posted, "new inline comment") : "",
    stats.alreadyCommented ? `${stats.alreadyCommented} already commented` : "",
    stats.resolved ? `${count(stats.resolved, "thread")} resolved (finding gone)` : "",
  ].filter(Boolean);
  if (stats.dismissed) activity.push(`our request for changes dismissed`);
  if (activity.length) parts.push("", sentence(activity.join(", ")));
  if (stats.unresolvable) {
    parts.push(
      "",
      `${count(stats.unresolvable, "thread")} whose finding is gone could not be resolved: this token may not resolve review threads ` +
        "(GitHub Actions' GITHUB_TOKEN cannot). Resolving them needs the GitHub App's installation token or a personal access token.",
    );
  }
  if (stats.dismissFailed?.length) {
    parts.push(
      "",
      `Nothing fails any more, but GitHub refused to dismiss our earlier request for changes (${mdText(stats.dismissFailed.join("; "))}). ` +
        "A maintainer can dismiss it, or allow the App to dismiss reviews on this branch.",
    );
  }
  return parts.join("\n");
}

/** The check run's text: every finding not commented inline, with why, and the notices. */
export function checkText(notInline: readonly NotInline[], notices: readonly Notice[]): string {
  const parts: string[] = [];
  if (notInline.length) {
    parts.push("### Not commented inline", "");
    for (const { finding: f, why } of notInline) {
      parts.push(`- ${mdCode(`${f.path}:${f.line}`)} **${f.rule}** ${mdText(f.message)} (${why}) [spec](${f.section.url})`);
    }
  }
  if (notices.length) {
    parts.push("", "### Notices", "");
    for (const n of notices) parts.push(`- ${mdCode(n.path)}: ${mdText(n.message)}`);
  }
  return parts.join("\n").trim();
}

/** A comment Gerrit did not take inline, as the message lists it. */
export interface NotTaken {
  path: string;
  line?: number;
  finding: Finding;
}

/**
 * The Gerrit review message: clean or how many findings against the fail level, the facts, the table,
 * the comments Gerrit did not take, what was not reviewed, the vote note and how to recheck.
 */
export function gerritMessage(result: ReviewResult, patchSet: number, rejected: readonly NotTaken[], vote: boolean, voteNote: string, recheckWord: string): string {
  const n = result.findings.length;
  const failing = result.outcome === "fail";
  const head =
    n === 0
      ? `eventlet-review: patch set ${patchSet} is clean (${count(result.filesReviewed, "Python file")} reviewed).`
      : `eventlet-review: ${count(n, "finding")} on the lines patch set ${patchSet} adds` +
        (failing ? ` (at or above fail level ${result.config.fail_level}).` : ` (below fail level ${result.config.fail_level}).`);
  const parts = [head, ...factsSentence(result)];
  if (n > 0) parts.push(summaryTable(result.findings));
  if (rejected.length) {
    parts.push(`Gerrit did not take these comments inline:\n${rejected.map((c) => `- ${mdCode(`${c.path}:${c.line}`)}: ${c.finding.rule} ${mdText(c.finding.message)}`).join("\n")}`);
  }
  if (result.notices.length) parts.push(`Not reviewed:\n${result.notices.map((x) => `- ${mdCode(x.path)}: ${mdText(x.message)}`).join("\n")}`);
  if (!vote) parts.push(voteNote);
  parts.push(`Comment \`${recheckWord}\` to review again.`);
  return parts.join("\n\n");
}

/** The GitHub Action's job summary (`$GITHUB_STEP_SUMMARY`). */
export function actionSummary(result: Pick<ReviewResult, "findings" | "config">): string {
  return `## eventlet-review\n\n${summaryTable(result.findings)}\n\nFail level \`${result.config.fail_level}\`.\n`;
}
