/**
 * Gerrit's comment threads as the review plan sees them. Gerrit has no thread object: a thread is a root
 * comment and the comments chained to it by `in_reply_to`, on any patch set; its state is the
 * `unresolved` flag of its last comment. Ours are the roots we wrote that carry a fingerprint marker.
 */
import type { CommentInfo } from "./client.js";

/**
 * The fingerprint rides in the comment as a Markdown link reference definition, which Gerrit's renderer
 * (Markdown, like any CommonMark one) does not display.
 */
export function gerritFingerprintMarker(fingerprint: string): string {
  return `[//]: # (eventlet-review:${fingerprint})`;
}

const MARKER = /^\[\/\/\]: # \(eventlet-review:([0-9a-f]{16})\)$/m;

export function readGerritFingerprint(message: string | undefined): string | undefined {
  return message === undefined ? undefined : MARKER.exec(message)?.[1];
}

export interface GerritThread {
  /** The root comment's id. */
  id: string;
  fingerprint: string;
  path: string;
  line?: number;
  /** The root's patch set: replies go there, as Gerrit's UI puts them. */
  patchSet: number;
  /** The comment a reply answers (the last one). */
  lastId: string;
  resolved: boolean;
  /** A person wrote in it (answered, resolved or reopened it). */
  byPerson: boolean;
}

/**
 * Every comment of the change (`GET /changes/{id}/comments`, keyed by path) with its path filled in, by
 * id, and the root of the thread each belongs to (a broken or cyclic `in_reply_to` chain stops).
 */
export function commentChains(byPath: Record<string, CommentInfo[]>): {
  all: CommentInfo[];
  byId: Map<string, CommentInfo>;
  rootOf: (c: CommentInfo) => CommentInfo;
} {
  const all = Object.entries(byPath).flatMap(([path, list]) => list.map((c) => ({ ...c, path: c.path ?? path })));
  const byId = new Map(all.map((c) => [c.id as string, c]));
  const rootOf = (c: CommentInfo): CommentInfo => {
    let cur = c;
    for (let hops = 0; cur.in_reply_to && byId.has(cur.in_reply_to) && hops < 1000; hops++) cur = byId.get(cur.in_reply_to)!;
    return cur;
  };
  return { all, byId, rootOf };
}

/** Our threads among every comment of the change (`GET /changes/{id}/comments`). */
export function ourThreads(byPath: Record<string, CommentInfo[]>, self: number): GerritThread[] {
  const { all, byId, rootOf } = commentChains(byPath);
  const members = new Map<string, CommentInfo[]>();
  for (const c of all) {
    const root = rootOf(c);
    members.set(root.id, [...(members.get(root.id) ?? []), c]);
  }
  const threads: GerritThread[] = [];
  for (const [rootId, comments] of members) {
    const root = byId.get(rootId)!;
    const fingerprint = readGerritFingerprint(root.message);
    if (root.author?._account_id !== self || !fingerprint) continue;
    // Gerrit's timestamps share a second easily: the chain order breaks ties (a reply is newer than its parent).
    const depth = (c: CommentInfo) => {
      let d = 0;
      for (let cur = c; cur.in_reply_to && byId.has(cur.in_reply_to) && d < 1000; d++) cur = byId.get(cur.in_reply_to)!;
      return d;
    };
    const ordered = [...comments].sort((a, b) => a.updated.localeCompare(b.updated) || depth(a) - depth(b));
    const last = ordered.at(-1)!;
    threads.push({
      id: rootId,
      fingerprint,
      path: root.path!,
      ...(root.line !== undefined ? { line: root.line } : {}),
      patchSet: Number(root.patch_set ?? 0),
      lastId: last.id,
      resolved: last.unresolved !== true,
      byPerson: comments.some((c) => c.author?._account_id !== self),
    });
  }
  return threads;
}
