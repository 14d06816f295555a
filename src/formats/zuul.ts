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
import { placeComment, ZUUL } from "../review/plan.js";

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

/** One comment per finding, on a line the change adds when `changed` is given; sorted by path and line. */
export function zuulFileComments(items: readonly ZuulFinding[]): ZuulFileComments {
  const byPath = new Map<string, ZuulComment[]>();
  for (const { finding: f, changed, repoPath = (p: string) => p } of items) {
    // Without `changed` (a whole tree) every finding stays on its own line.
    const at = placeComment(f, changed, ZUUL);
    if (!at) continue;
    let message = commentBody(f, { suggestions: at.suggestion });
    if (at.path !== f.path) message = `${message}\n\n(Reported at ${repoPath(f.path)}:${f.line}.)`;
    const comment: ZuulComment = { line: at.line, message };
    const r = at.range;
    if (r && (r.endLine > r.startLine || r.endColumn > r.startColumn)) {
      comment.range = { start_line: r.startLine, start_character: r.startColumn - 1, end_line: r.endLine, end_character: r.endColumn - 1 };
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
