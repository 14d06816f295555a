/**
 * Where each finding of a review goes on a platform, and what it is called across pushes: one
 * placement policy (own line, else an added related line), one suggestion fit, one fingerprint, the
 * reasons a finding is not inline, the cut at a platform's size limit, and which threads a review
 * leaves alone, opens or resolves. GitHub, Gerrit and Zuul differ only in the capabilities below, not
 * in separate policies.
 */
import type { ChangedLines } from "../diff/changed-lines.js";
import type { Finding } from "../model/finding.js";
import type { ProjectFiles } from "../python/project-files.js";
import { fingerprints } from "./fingerprint.js";

/** What a platform can take, which is all that makes its plan differ from another's. */
export interface Capabilities {
  /**
   * Gerrit: a comment may sit on any line of a file in the revision, so a finding none of whose lines
   * the change added stays on its own line. GitHub and Zuul: only on lines the change adds.
   */
  anyLine: boolean;
  /** Zuul: a finding caused by a line added in another file (EVL101's parent package) is commented there. */
  otherFiles: boolean;
  /** GitHub: a safe fix over several added lines becomes one multi-line suggestion. Gerrit, Zuul: one-line fixes only. */
  multiLineSuggestions: boolean;
}

export const GITHUB: Capabilities = { anyLine: false, otherFiles: false, multiLineSuggestions: true };
export const GERRIT: Capabilities = { anyLine: true, otherFiles: false, multiLineSuggestions: false };
export const ZUUL: Capabilities = { anyLine: false, otherFiles: true, multiLineSuggestions: false };

/** Where one comment goes. Lines and columns are 1-based, as in a Finding. */
export interface Placement {
  path: string;
  /** The commented line; for a multi-line suggestion, its last line. */
  line: number;
  /** A multi-line suggestion's first line. */
  startLine?: number;
  /** On the finding's own line (not a related line standing in for it). */
  own: boolean;
  /** The fix goes into the comment as a suggestion: the commented lines are exactly the fix's. */
  suggestion: boolean;
  /** The finding's span, when the comment is on its own line; platforms draw it if they can. */
  range?: { startLine: number; startColumn: number; endLine: number; endColumn: number };
}

/**
 * Where a finding's comment goes: its own line when the change added it (or when no change is given:
 * a whole tree), else the first added related line in its file, else (`otherFiles`) in another file,
 * else (`anyLine`) its own line anyway. Undefined when no line can take it.
 */
export function placeComment(f: Finding, changed: ChangedLines | undefined, can: Capabilities): Placement | undefined {
  let at: { path: string; line: number } | undefined;
  if (!changed || changed.has(f.path, f.line)) at = { path: f.path, line: f.line };
  else {
    const related = f.related ?? [];
    const here = related.find((r) => r.path === f.path && changed.has(r.path, r.line));
    const elsewhere = can.otherFiles ? related.find((r) => changed.has(r.path, r.line)) : undefined;
    at = here ?? elsewhere ?? (can.anyLine ? { path: f.path, line: f.line } : undefined);
    if (at) at = { path: at.path, line: at.line };
  }
  if (!at) return undefined;
  const own = at.path === f.path && at.line === f.line;
  const placement: Placement = { ...at, own, suggestion: own && suggestionFits(f, changed, can) };
  if (placement.suggestion && f.fix && f.fix.endLine > f.fix.line) {
    placement.startLine = f.fix.line;
    placement.line = f.fix.endLine;
  }
  if (own) placement.range = { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn };
  return placement;
}

/**
 * A suggestion replaces the commented lines, so it fits only a safe fix that covers the finding's line
 * and whose every line the change adds (a suggestion on untouched code is not the author's to take).
 */
export function suggestionFits(f: Finding, changed: ChangedLines | undefined, can: Capabilities): boolean {
  const fix = f.fix;
  if (fix?.safety !== "safe" || fix.line > f.line || f.line > fix.endLine) return false;
  if (fix.endLine > fix.line && !can.multiLineSuggestions) return false;
  if (!changed) return true;
  for (let n = fix.line; n <= fix.endLine; n++) if (!changed.has(f.path, n)) return false;
  return true;
}

/** Why a finding is listed in the summary instead of commented inline. */
export const NOT_INLINE = {
  noLine: "no added line of this change can take a comment",
  overCap: (cap: number) => `over the limit of ${cap} open inline comment${cap === 1 ? "" : "s"}`,
  noReview: "the check reporter posts no review",
  refused: (platform: string, detail?: string) => `${platform} refused the comment${detail ? ` (${detail})` : ""}`,
} as const;

export interface PlannedComment {
  finding: Finding;
  /** The finding's identity across pushes and patch sets (see fingerprint.ts). */
  fingerprint: string;
  /** Undefined: no line can take it (see `NOT_INLINE.noLine`). */
  placement?: Placement;
}

/** Findings in a stable order (path, line, column): the order fingerprints count identical lines in. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column);
}

/** The text of each line a finding sits on, read once per file from the revision under review. */
export async function lineTexts(files: ProjectFiles, findings: readonly Finding[]): Promise<(f: Finding) => string> {
  const lines = new Map<string, string[]>();
  for (const path of new Set(findings.map((f) => f.path))) lines.set(path, ((await files.readText(path)) ?? "").split(/\r?\n/));
  return (f) => lines.get(f.path)?.[f.line - 1] ?? "";
}

/** Each finding's rule and fingerprint, as planComments computes them (for the store of reviews). */
export async function findingPrints(findings: readonly Finding[], files: ProjectFiles): Promise<{ rule: string; fingerprint: string }[]> {
  const sorted = sortFindings(findings);
  const prints = fingerprints(sorted, await lineTexts(files, sorted));
  return sorted.map((f, i) => ({ rule: f.rule, fingerprint: prints[i]! }));
}

/** One planned comment per finding, sorted, fingerprinted by the text of its line in `files`. */
export async function planComments(findings: readonly Finding[], changed: ChangedLines | undefined, files: ProjectFiles, can: Capabilities): Promise<PlannedComment[]> {
  const sorted = sortFindings(findings);
  const prints = fingerprints(sorted, await lineTexts(files, sorted));
  return sorted.map((finding, i) => {
    const placement = placeComment(finding, changed, can);
    return { finding, fingerprint: prints[i], ...(placement ? { placement } : {}) };
  });
}

/** `text` cut to at most `limit` characters, ending with `note` when cut. */
export function truncate(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  return text.slice(0, limit - note.length) + note;
}

/**
 * Which findings already have a thread, which need one, and which threads to resolve: one policy for
 * every platform (GitHub review threads, Gerrit comment chains), keyed on the fingerprints.
 * - An open thread for a fingerprint: the finding is already there; nothing is posted.
 * - A thread a person resolved or answered: never reopened and never posted again.
 * - Only threads we resolved ourselves (the finding was fixed, then came back): a new thread.
 * - An open thread whose fingerprint no finding has any more: resolve it (the finding is gone).
 */
export interface ExistingThread {
  fingerprint: string;
  resolved: boolean;
  /** A person resolved it or wrote in it. */
  byPerson: boolean;
}

export interface ThreadPlan<C, T> {
  toPost: C[];
  alreadyThere: C[];
  toResolve: T[];
}

export function planThreads<C extends { fingerprint: string }, T extends ExistingThread>(
  comments: readonly C[],
  threads: readonly T[],
  /** Every fingerprint the review found, placed inline or not: a finding listed elsewhere is not fixed. */
  present: ReadonlySet<string> = new Set(comments.map((c) => c.fingerprint)),
): ThreadPlan<C, T> {
  const rank = (t: T) => (!t.resolved ? 2 : t.byPerson ? 1 : 0);
  const best = new Map<string, T>();
  for (const t of threads) {
    const seen = best.get(t.fingerprint);
    if (!seen || rank(t) > rank(seen)) best.set(t.fingerprint, t);
  }
  const toPost: C[] = [];
  const alreadyThere: C[] = [];
  for (const c of comments) {
    const t = best.get(c.fingerprint);
    (t && rank(t) > 0 ? alreadyThere : toPost).push(c);
  }
  return { toPost, alreadyThere, toResolve: threads.filter((t) => !t.resolved && !present.has(t.fingerprint)) };
}
