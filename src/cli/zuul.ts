/**
 * `check --format zuul`: the finished check as Zuul `file_comments`, with paths relative to the
 * repository top (what Zuul and Gerrit name files by), whatever PATH was given.
 */
import { relative, sep } from "node:path";
import type { CheckResult } from "./check.js";
import { formatZuul, type ZuulFinding } from "../formats/zuul.js";
import { gitTop } from "../platforms/local/root.js";

/** `path` (relative to `directory`) as a `/`-separated path from the repository top. */
export function repoPathMapper(directory: string): (path: string) => string {
  const top = gitTop(directory);
  const prefix = top ? relative(top, directory).split(sep).join("/") : "";
  return prefix ? (path) => `${prefix}/${path}` : (path) => path;
}

export function formatZuulCheck(result: CheckResult): string {
  const roots = new Map(result.roots.map((root, i) => [`PATH${i + 1}`, { changed: root.changed, repoPath: repoPathMapper(root.directory) }]));
  const items: ZuulFinding[] = result.findings.map((finding) => ({ finding, ...roots.get(finding.root) }));
  return formatZuul(items);
}
