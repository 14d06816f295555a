/**
 * Who may ask for a recheck, and how often. A user's role on a repository, from `GET /repos/{o}/{r}/collaborators/{user}/permission`, cached for
 * a few minutes per process: a busy pull request's rechecks ask once. The webhook's
 * `author_association` is not used: it hides private organisation membership (maintainers arrive as
 * CONTRIBUTOR) and MEMBER does not mean write access.
 */
import { Redis } from "ioredis";
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

/**
 * At most one recheck per key (a pull request; a user on a pull request for refusal replies) in
 * `windowMs`: a comment loop cannot flood the queue. With REDIS_URL the window is kept in Redis, so every
 * instance counts the same rechecks (a key set with NX and an expiry: the first instance to ask wins,
 * and a killed instance holds nothing past the window); otherwise in this process.
 */
export interface RecheckLimiter {
  readonly windowMs: number;
  /** True and counted when allowed now; false within the window of the previous one. */
  allow(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryRecheckLimiter implements RecheckLimiter {
  private readonly last = new Map<string, number>();

  constructor(
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async allow(key: string): Promise<boolean> {
    const t = this.now();
    const previous = this.last.get(key);
    if (previous !== undefined && t - previous < this.windowMs) return false;
    this.last.set(key, t);
    if (this.last.size > KEPT) this.last.delete(this.last.keys().next().value!);
    return true;
  }

  async close(): Promise<void> {}
}

export class RedisRecheckLimiter implements RecheckLimiter {
  private readonly client: Redis;

  constructor(
    url: string,
    /** Keys are `<prefix>:github:<name>:<key>` (QUEUE_PREFIX, as the queue's). */
    private readonly prefix: string,
    private readonly name: string,
    readonly windowMs = 60_000,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 3, connectionName: `eventlet-review-${name}` });
    this.client.on("error", () => undefined); // the queue's connection reports Redis trouble
  }

  async allow(key: string): Promise<boolean> {
    return (await this.client.set(`${this.prefix}:github:${this.name}:${key}`, "1", "PX", this.windowMs, "NX")) === "OK";
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
