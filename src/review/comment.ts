/** The body of one inline comment, shared by every platform: rule, message, spec link, suggestion. */
import type { Finding } from "../model/finding.js";
import { mdText } from "./markdown.js";

export interface CommentOptions {
  /** Markdown (GitHub, Gerrit ≥ 3.x renders it too) with a ```suggestion fence for safe fixes. */
  suggestions: boolean;
}

export function commentBody(f: Finding, options: CommentOptions = { suggestions: true }): string {
  const lines = [`**${f.rule} ${f.name}** (${f.severity}): ${mdText(f.message)}`, "", `See [${f.section.title}](${f.section.url}).`];
  if (options.suggestions && f.fix?.safety === "safe") {
    lines.push("", "```suggestion", f.fix.replacement, "```");
  }
  return lines.join("\n");
}
