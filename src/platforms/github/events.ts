/** Pure pieces of the webhook handlers: the job payload, the recheck command, who may ask for it. */
import { z } from "zod";
import type { Config } from "../../config/schema.js";
import type { ReviewJob } from "../adapter.js";

/** What a queued GitHub review needs; plain JSON (it may cross Redis). */
export interface GithubJobPayload {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
  draft: boolean;
  /** The event that asked for the review, e.g. `pull_request.synchronize`, `issue_comment.recheck`. */
  trigger: string;
}

export interface PullRequestLike {
  number: number;
  draft?: boolean;
  head: { sha: string };
  base: { sha: string };
  /** The push time on `synchronize`: orders a late webhook for an older push behind the newer one. */
  updated_at?: string;
}

export function reviewJob(
  eventId: string,
  installationId: number,
  owner: string,
  repo: string,
  pr: PullRequestLike,
  trigger: string,
  recheck: boolean,
): ReviewJob {
  const payload: GithubJobPayload = {
    installationId,
    owner,
    repo,
    pullNumber: pr.number,
    headSha: pr.head.sha,
    baseSha: pr.base.sha,
    draft: pr.draft === true,
    trigger,
  };
  return {
    eventId,
    platform: "github",
    repository: `${owner}/${repo}`,
    change: String(pr.number),
    revision: pr.head.sha,
    // SHAs carry no order; without this, a redelivered webhook for an older push would supersede the newer one.
    ...(Number.isFinite(Date.parse(pr.updated_at ?? "")) ? { revisionOrder: Date.parse(pr.updated_at!) } : {}),
    ...(recheck ? { recheck: true } : {}),
    payload: payload as unknown as Record<string, unknown>,
  };
}

/**
 * The payload as the App queued it. A job may come back from a shared Redis, so it is checked, not
 * trusted: GitHub's name rules for owner and repository, ids that are positive numbers, SHAs in hex, and
 * the job's own repository and change naming the same pull request.
 */
const payloadSchema = z.object({
  installationId: z.number().int().positive(),
  owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: "is not a GitHub owner name" }),
  repo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "is not a GitHub repository name" }),
  pullNumber: z.number().int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, { error: "is not a commit SHA" }),
  baseSha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, { error: "is not a commit SHA" }),
  draft: z.boolean().default(false),
  trigger: z.string().max(100).default("unknown"),
});

export function jobPayload(job: ReviewJob): GithubJobPayload {
  const parsed = payloadSchema.safeParse(job.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`GitHub job ${job.eventId} has an invalid payload: ${issue.path.join(".") || "payload"} ${issue.message}`);
  }
  const p = parsed.data;
  if (job.repository !== `${p.owner}/${p.repo}` || job.change !== String(p.pullNumber)) {
    throw new Error(`GitHub job ${job.eventId} has an invalid payload: it names ${p.owner}/${p.repo}#${p.pullNumber}, the job ${job.repository}#${job.change}`);
  }
  return p;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * True when a line of the comment is `/eventlet-review recheck` or `@<app-slug> recheck` (quoted
 * lines, starting with `>`, do not count: quoting someone's command is not asking again).
 */
export function isRecheckCommand(body: string, appSlug?: string): boolean {
  const names = ["/eventlet-review", ...(appSlug ? [`@${appSlug}`] : [])].map(escapeRegExp).join("|");
  const command = new RegExp(`^\\s*(?:${names})\\s+recheck\\s*$`, "i");
  return body.split(/\r?\n/).some((line) => command.test(line));
}

/** A user's role on a repository, as `GET /repos/{o}/{r}/collaborators/{user}/permission` names it. */
export type RepositoryRole = "none" | "read" | "triage" | "write" | "maintain" | "admin";

/**
 * Who may ask for a recheck: the pull request's author and, by default, users with write permission or
 * above; `github.recheck_allowed` in the base config names the roles. Returns why not, or undefined.
 */
export function recheckRefusal(config: Config, commenter: string, role: RepositoryRole, prAuthor: string | undefined): string | undefined {
  const allowed = config.github.recheck_allowed as readonly string[];
  if (allowed.includes("author") && prAuthor !== undefined && commenter.toLowerCase() === prAuthor.toLowerCase()) return undefined;
  if (allowed.includes(role)) return undefined;
  const roles = allowed.filter((r) => r !== "author");
  const who = [allowed.includes("author") ? "the pull request's author" : "", roles.length ? `people with the ${roles.join(", ")} role on this repository` : ""]
    .filter(Boolean)
    .join(" and ");
  return `only ${who || "nobody (github.recheck_allowed is empty)"} may ask for a recheck; @${commenter} has ${role === "none" ? "no role" : `the ${role} role`}`;
}
