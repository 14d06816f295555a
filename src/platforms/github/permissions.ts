/**
 * Who may ask for a recheck, and how often. A user's role on a repository, from `GET /repos/{o}/{r}/collaborators/{user}/permission`, cached for
 * a few minutes per process: a busy pull request's rechecks ask once. The webhook's
 * `author_association` is not used: it hides private organisation membership (maintainers arrive as
 * CONTRIBUTOR) and MEMBER does not mean write access.
 */
import type { RepositoryRole } from "./events.js";
import { errorStatus, type GithubOctokit } from "./octokit.js";

const TTL_MS = 10 * 60_000;
const KEPT = 5000;
const ROLES = new Set<RepositoryRole>(["read", "triage", "write", "maintain", "admin"]);

export class PermissionCache {
  private readonly roles = new Map<string, { role: RepositoryRole; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async role(octokit: GithubOctokit, owner: string, repo: string, username: string): Promise<RepositoryRole> {
    const key = `${owner}/${repo}:${username}`.toLowerCase();
    const hit = this.roles.get(key);
    if (hit && hit.expires > this.now()) return hit.role;
    let role: RepositoryRole;
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
      // role_name says maintain and triage, which `permission` folds into write and read; custom roles
      // (enterprise) fall back to `permission`.
      const name = (data as { role_name?: string }).role_name as RepositoryRole | undefined;
      role = name && ROLES.has(name) ? name : ROLES.has(data.permission as RepositoryRole) ? (data.permission as RepositoryRole) : "none";
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
      role = "none"; // not a collaborator (GitHub answers 404 for users it does not know here)
    }
    this.roles.set(key, { role, expires: this.now() + TTL_MS });
    if (this.roles.size > KEPT) this.roles.delete(this.roles.keys().next().value!);
    return role;
  }
}
