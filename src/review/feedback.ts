/**
 * The words people answer our comments with, the same on every platform: a reply that starts with
 * "not useful" (the rest is the reason) says the finding was not useful; one that starts with "Done" or
 * "Fixed" says it was. And the rule of one of our comments, read back from its body (comment.ts).
 */
export type Verdict = "useful" | "not_useful";

const NOT_USEFUL = /^\s*not[\s-]+useful\b[\s:;,.!\-–—]*([\s\S]*)$/i;
const DONE = /^\s*(done|fixed)\b/i;
const RULE = /^\*\*(EVL\d{3})\b/;

/** What a reply says about the finding it answers, if anything. */
export function replyVerdict(body: string): { verdict: Verdict; reason?: string } | undefined {
  const notUseful = NOT_USEFUL.exec(body);
  if (notUseful) {
    const reason = notUseful[1]!.trim();
    return { verdict: "not_useful", ...(reason ? { reason } : {}) };
  }
  if (DONE.test(body)) return { verdict: "useful" };
  return undefined;
}

export function saysDone(body: string): boolean {
  return DONE.test(body);
}

/** The rule of one of our comments (commentBody starts with `**EVL301 name**`). */
export function ruleOfBody(body: string): string | undefined {
  return RULE.exec(body)?.[1];
}
