/**
 * People's word on our Gerrit comments, into the store. `comment-added` says only that someone
 * commented on a change ("(2 comments)"), so on each one by a person the change's comments are read
 * and every person's comment in one of our threads (threads.ts) is judged:
 * - it starts with "not useful" (the rest is the reason) → not useful; "Done" or "Fixed" → useful;
 * - otherwise it marks the thread resolved (Gerrit's "Ack", or a reply with Resolved ticked) while the
 *   finding still stands (the change's latest review has it) → not useful.
 * Reading the whole change each time is idempotent: the store keeps one row per person, finding and
 * verdict, so a comment judged twice (an event redelivered, a later comment) counts once.
 */
import type { CommentInfo } from "./client.js";
import { replyVerdict, ruleOfBody } from "../../review/feedback.js";
import type { FeedbackReport, Ledger } from "../adapter.js";
import { commentChains, readGerritFingerprint } from "./threads.js";

/** Who a Gerrit account is in the store: its username, else its email, else its number. */
function who(author: CommentInfo["author"]): string | undefined {
  if (!author) return undefined;
  const a = author as { username?: string; email?: string; _account_id?: number };
  return a.username ?? a.email ?? (a._account_id !== undefined ? `account ${a._account_id}` : undefined);
}

/** Gerrit's `2026-12-01 10:00:00.000000000` (UTC) as a Date, when it parses. */
function when(updated: string | undefined): { at?: Date } {
  const at = new Date(`${(updated ?? "").replace(" ", "T").slice(0, 23)}Z`);
  return Number.isNaN(at.getTime()) ? {} : { at };
}

/** The reports the comments of one change hold, in comment order. */
export async function changeFeedback(
  byPath: Record<string, CommentInfo[]>,
  self: number,
  change: { project: string; number: number },
  stands: (fingerprint: string) => Promise<boolean>,
): Promise<FeedbackReport[]> {
  const { all, rootOf } = commentChains(byPath);
  const reports: FeedbackReport[] = [];
  const ordered = [...all].sort((a, b) => a.updated.localeCompare(b.updated));
  for (const c of ordered) {
    if (c.author?._account_id === self || !c.in_reply_to) continue;
    const root = rootOf(c);
    const fingerprint = readGerritFingerprint(root.message);
    const rule = ruleOfBody(root.message ?? "");
    const person = who(c.author);
    if (root.author?._account_id !== self || !fingerprint || !rule || !person) continue;
    const base = { platform: "gerrit" as const, repository: change.project, change: String(change.number), rule, fingerprint, who: person, ...when(c.updated) };
    const said = replyVerdict(c.message ?? "");
    if (said) {
      reports.push({ ...base, ...said, gesture: "reply" });
    } else if (c.unresolved === false && (await stands(fingerprint))) {
      reports.push({ ...base, verdict: "not_useful", gesture: "resolve" });
    }
  }
  return reports;
}

/** Judges one change's comments and records what is new; returns how many reports were new. */
export async function recordChangeFeedback(
  ledger: Ledger,
  byPath: Record<string, CommentInfo[]>,
  self: number,
  change: { project: string; number: number },
): Promise<number> {
  const reports = await changeFeedback(byPath, self, change, (fingerprint) => ledger.findingStands("gerrit", change.project, String(change.number), fingerprint));
  let added = 0;
  for (const report of reports) if (await ledger.feedback(report)) added++;
  return added;
}
