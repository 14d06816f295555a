/**
 * People's word on our inline comments, in GitHub's own gestures, into the store (deps.ledger):
 * - a reply that starts with "not useful" (the rest is the reason) → not useful; one that starts with
 *   "Done" or "Fixed" → useful (`pull_request_review_comment.created`);
 * - a thread of ours resolved by a person while its finding still stands (the pull request's latest
 *   review still has it) → not useful, unless that person said "Done" in it
 *   (`pull_request_review_thread.resolved`);
 * - 👎 / 👍 on our comment → not useful / useful. GitHub sends no webhook for reactions, so `pollPull`
 *   reads them (read calls only: the write budget is untouched) for each pull request reviewed lately.
 * A comment is ours when it carries our fingerprint marker and GitHub says a bot wrote it (our app's
 * `<slug>[bot]` once the slug is known). The store keeps one row per person, finding and verdict.
 */
import type { Context, Probot } from "probot";
import { replyVerdict, ruleOfBody, saysDone } from "../../review/feedback.js";
import { readFingerprintMarker } from "../../review/fingerprint.js";
import type { FeedbackReport, Ledger, Logger, Verdict } from "../adapter.js";

export { replyVerdict } from "../../review/feedback.js";
import type { GithubOctokit } from "./octokit.js";

interface CommentLike {
  id: number;
  body: string;
  user?: { login: string; type?: string } | null;
}

/** Our finding behind a comment: its fingerprint and rule, when the comment is ours. */
export function ourFinding(comment: CommentLike, slug: string | undefined): { fingerprint: string; rule: string } | undefined {
  const fingerprint = readFingerprintMarker(comment.body);
  const rule = ruleOfBody(comment.body);
  if (!fingerprint || !rule || comment.user?.type !== "Bot") return undefined;
  if (slug !== undefined && comment.user.login !== `${slug}[bot]`) return undefined;
  return { fingerprint, rule };
}

const isPerson = (user: { type?: string } | null | undefined) => user != null && user.type !== "Bot";

export interface FeedbackDeps {
  ledger?: Ledger;
  logger: Logger;
  appSlug(): Promise<string | undefined>;
}

/** The webhook half: replies and resolved threads. */
export function registerFeedbackHandlers(app: Probot, deps: FeedbackDeps): void {
  const { ledger, logger } = deps;
  if (!ledger) return;

  app.on("pull_request_review_comment.created", async (context: Context<"pull_request_review_comment.created">) => {
    const { comment, pull_request: pr } = context.payload;
    if (comment.in_reply_to_id === undefined || !isPerson(comment.user)) return;
    const said = replyVerdict(comment.body);
    if (!said) return;
    const { owner, repo } = context.repo();
    // Replies answer the thread's first comment (GitHub keeps threads flat): is it ours?
    const { data: parent } = await (context.octokit as unknown as GithubOctokit).rest.pulls.getReviewComment({ owner, repo, comment_id: comment.in_reply_to_id });
    const ours = ourFinding(parent as CommentLike, await deps.appSlug());
    if (!ours) return;
    await ledger.feedback({
      platform: "github",
      repository: `${owner}/${repo}`,
      change: String(pr.number),
      ...ours,
      who: comment.user!.login,
      gesture: "reply",
      ...said,
      at: new Date(comment.created_at),
    });
  });

  app.on("pull_request_review_thread.resolved", async (context: Context<"pull_request_review_thread.resolved">) => {
    const { thread, pull_request: pr, sender } = context.payload;
    if (!sender || !isPerson(sender)) return; // our own resolve of a finding that is gone
    const first = thread.comments[0] as CommentLike | undefined;
    const ours = first && ourFinding(first, await deps.appSlug());
    if (!ours) return;
    const { owner, repo } = context.repo();
    const repository = `${owner}/${repo}`;
    const saidDone = thread.comments.some((c) => (c as CommentLike).user?.login === sender.login && saysDone((c as CommentLike).body));
    if (saidDone) return; // "Done" then resolve: the reply counted as useful
    if (!(await ledger.findingStands("github", repository, String(pr.number), ours.fingerprint))) {
      logger.debug({ repository, pull: pr.number, fingerprint: ours.fingerprint }, "thread resolved after its finding went: not feedback");
      return;
    }
    await ledger.feedback({ platform: "github", repository, change: String(pr.number), ...ours, who: sender.login, verdict: "not_useful", gesture: "resolve" });
  });
}

const REACTIONS: Record<string, Verdict> = { "-1": "not_useful", "+1": "useful" };

/**
 * One pull request's reactions on our comments into the store. Returns the reports that were new.
 * Closed pull requests are skipped (no one reacts to them any more).
 */
export async function pollPull(
  octokit: GithubOctokit,
  ledger: Ledger,
  ref: { owner: string; repo: string; pullNumber: number },
  slug: string | undefined,
): Promise<FeedbackReport[]> {
  const { owner, repo, pullNumber } = ref;
  const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber });
  if (pr.state !== "open") return [];
  const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner, repo, pull_number: pullNumber, per_page: 100 });
  const added: FeedbackReport[] = [];
  for (const comment of comments) {
    const ours = ourFinding(comment as CommentLike, slug);
    const counts = (comment as { reactions?: Record<string, unknown> }).reactions;
    if (!ours || !counts || (!Number(counts["-1"]) && !Number(counts["+1"]))) continue;
    const reactions = await octokit.paginate(octokit.rest.reactions.listForPullRequestReviewComment, { owner, repo, comment_id: comment.id, per_page: 100 });
    for (const reaction of reactions) {
      const verdict = REACTIONS[reaction.content];
      if (!verdict || !isPerson(reaction.user)) continue;
      const report: FeedbackReport = {
        platform: "github",
        repository: `${owner}/${repo}`,
        change: String(pullNumber),
        ...ours,
        who: reaction.user!.login,
        verdict,
        gesture: "reaction",
        at: new Date(reaction.created_at),
      };
      if (await ledger.feedback(report)) added.push(report);
    }
  }
  return added;
}
