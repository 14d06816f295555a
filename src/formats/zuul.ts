/**
 * Zuul's `file_comments` (job return value `zuul.file_comments`): repository path → list of
 * `{line, message, range}`. Zuul's Gerrit reporter posts them as inline comments beside its vote.
 *
 * Shape, from Zuul's `zuul/lib/filecomments.py` schema: `{str: [{line: int, message: str, range:
 * {start_line, start_character, end_line, end_character}}]}`; unknown keys fail validation and Zuul then
 * drops every comment of the job (older Zuul has no `level` key, so we never send one). Lines are
 * 1-based; characters are Gerrit's CommentRange: 0-based, end exclusive, counted in code points (Gerrit's
 * web UI counts astral characters once, as our columns do), so `start_character = column - 1`.
 */
import type { Finding } from "../model/finding.js";
import type { ChangedLines } from "../diff/changed-lines.js";
import { commentBody } from "../review/comment.js";
import { commentLine } from "../review/scope.js";

export interface ZuulRange {
  start_line: number;
  start_character: number;
  end_line: number;
  end_character: number;
}

export interface ZuulComment {
  line: number;
  message: string;
  range?: ZuulRange;
}

export type ZuulFileComments = Record<string, ZuulComment[]>;

export interface ZuulFinding {
  finding: Finding;
  /**
   * The lines the change adds, keyed like `finding.path`; absent when the whole tree was checked, and
   * then every finding is commented on its own line.
   */
  changed?: ChangedLines;
  /** Maps a finding's path (relative to its PATH) to the path in the repository Zuul reports on. */
  repoPath?: (path: string) => string;
}

function place(finding: Finding, changed: ChangedLines | undefined): { path: string; line: number } | undefined {
  if (!changed) return { path: finding.path, line: finding.line };
  const line = commentLine(finding, changed);
  if (line !== undefined) return { path: finding.path, line };
  // EVL101 caused by a line added in another file (a parent package `__init__`): comment there.
  const related = (finding.related ?? []).find((r) => changed.has(r.path, r.line));
  return related ? { path: related.path, line: related.line } : undefined;
}

/** One comment per finding, on a line the change adds when `changed` is given; sorted by path and line. */
export function zuulFileComments(items: readonly ZuulFinding[]): ZuulFileComments {
  const byPath = new Map<string, ZuulComment[]>();
  for (const { finding: f, changed, repoPath = (p: string) => p } of items) {
    const at = place(f, changed);
    if (!at) continue;
    const own = at.path === f.path && at.line === f.line;
    const fixFits = own && f.fix !== undefined && f.fix.line === f.line && f.fix.endLine === f.line;
    let message = commentBody(f, { suggestions: fixFits });
    if (at.path !== f.path) message = `${message}\n\n(Reported at ${repoPath(f.path)}:${f.line}.)`;
    const comment: ZuulComment = { line: at.line, message };
    if (own && (f.endLine > f.line || f.endColumn > f.column)) {
      comment.range = { start_line: f.line, start_character: f.column - 1, end_line: f.endLine, end_character: f.endColumn - 1 };
    }
    const path = repoPath(at.path);
    const list = byPath.get(path) ?? [];
    list.push(comment);
    byPath.set(path, list);
  }
  const out: ZuulFileComments = {};
  for (const path of [...byPath.keys()].sort()) out[path] = byPath.get(path)!.sort((a, b) => a.line - b.line);
  return out;
}

export function formatZuul(items: readonly ZuulFinding[]): string {
  return JSON.stringify(zuulFileComments(items), null, 2);
}
