/**
 * From an event to the pull request to review: the step the App's handlers (app.ts) and the Actions
 * mode (action.ts) share. A pull request event names its pull request; a recheck comment needs the
 * pull request (for its head SHA) and the base config (for who may ask). What each front end then does
 * (queue a job or review now, reply to a refusal, react) stays its own.
 */
import { defaultConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { isRecheckCommand, recheckRefusal } from "./events.js";
import type { GithubOctokit } from "./octokit.js";
import type { PermissionCache } from "./permissions.js";
import type { ReviewRequest } from "./run.js";

/** The pull request actions that ask for a review. */
export const PULL_REQUEST_ACTIONS = ["opened", "synchronize", "reopened", "ready_for_review"] as const;

export interface OpenPullRequest {
  number: number;
  state: string;
  draft?: boolean;
  head: { sha: string };
  base: { sha: string };
  updated_at?: string;
  user?: { login?: string } | null;
}

export type Skip = { skip: string };

/** The review request for a pull request at its head. */
export function requestFor(owner: string, repo: string, pr: OpenPullRequest, recheck = false): ReviewRequest {
  return { owner, repo, pullNumber: pr.number, headSha: pr.head.sha, baseSha: pr.base.sha, draft: pr.draft === true, ...(recheck ? { recheck: true } : {}) };
}

/** `pull_request.<action>` (or `pull_request_target`): the pull request, when the action asks for a review and it is open. */
export function pullRequestTarget(event: string, action: string | undefined, pr: OpenPullRequest): { pr: OpenPullRequest } | Skip {
  if (!(PULL_REQUEST_ACTIONS as readonly string[]).includes(action ?? "")) return { skip: `nothing to review for ${event}.${action}` };
  if (pr.state !== "open") return { skip: `pull request #${pr.number} is ${pr.state}` };
  return { pr };
}

export interface RecheckComment {
  id: number;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
}

export interface RecheckDeps {
  /** The App's slug, for `@<slug> recheck` (asked only when the comment mentions a recheck at all). */
  appSlug?: () => Promise<string | undefined>;
  /** The base config of the pull request (who may ask); a broken one reads as the defaults here. */
  readConfig: (request: ReviewRequest) => Promise<Config>;
  permissions: PermissionCache;
}

export type Recheck = Skip | { pr: OpenPullRequest; request: ReviewRequest; commenter: string; refusal?: string };

/**
 * `issue_comment.created` on a pull request: whether it is a recheck command, the pull request if it
 * is open, and why the commenter may not ask (`refusal`), from the config's `github.recheck_allowed`.
 */
export async function recheckTarget(octokit: GithubOctokit, owner: string, repo: string, issueNumber: number, comment: RecheckComment, deps: RecheckDeps): Promise<Recheck> {
  const body = String(comment.body ?? "");
  const notCommand: Skip = { skip: "the comment is not `/eventlet-review recheck`" };
  if (!comment.user || comment.user.type === "Bot" || !/recheck/i.test(body)) return notCommand;
  if (!isRecheckCommand(body) && !(deps.appSlug && isRecheckCommand(body, await deps.appSlug()))) return notCommand;
  const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: issueNumber });
  const pr = data as OpenPullRequest;
  if (pr.state !== "open") return { skip: `pull request #${pr.number} is ${pr.state}` };
  const request = requestFor(owner, repo, pr, true);
  // A broken config is reported by the review itself; the default says who may ask meanwhile.
  const config = await deps.readConfig(request).catch(() => defaultConfig());
  const commenter = comment.user.login ?? "";
  // The author needs no API call; anyone else's role comes from the permission endpoint (cached).
  let refusal = recheckRefusal(config, commenter, "none", pr.user?.login);
  if (refusal !== undefined) refusal = recheckRefusal(config, commenter, await deps.permissions.role(octokit, owner, repo, commenter), pr.user?.login);
  return { pr, request, commenter, ...(refusal !== undefined ? { refusal } : {}) };
}
