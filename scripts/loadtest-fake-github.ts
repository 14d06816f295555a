/**
 * A fake GitHub (Enterprise Server layout: REST under /api/v3, GraphQL at /api/graphql) on loopback, for
 * the load test: a small HTTP server, so service instances in other processes can talk to it (nock only
 * intercepts in its own process). It serves what one review needs, and records what the service posts.
 *
 * Repository `load/app`; pull request n at revision k holds files `pr<n>/mod_1.py` … `pr<n>/mod_<k>.py`,
 * each with `import MySQLdb` (one EVL301 finding per file, so every push brings a new finding and
 * deserves a review). Revisions are SHA-1s of `pr-<n>-rev-<k>`.
 *
 * Like GitHub it holds the installation to its secondary limits (src/platforms/github/limits.ts): past
 * `writesPerMinute` content-creating requests (POST, PATCH, PUT, DELETE, GraphQL mutations) in any 60 s,
 * or `writesPerHour` in any hour, or past 100 requests in flight, it answers 403 "You have exceeded a
 * secondary rate limit" with `retry-after`, and counts how often it had to.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GITHUB_LIMITS } from "../src/platforms/github/limits.js";

export const OWNER = "load";
export const REPO = "app";
export const INSTALLATION_ID = 4242;
export const BASE_SHA = sha("base");

export function sha(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export function headSha(pr: number, rev: number): string {
  return sha(`pr-${pr}-rev-${rev}`);
}

function fileText(pr: number, j: number): string {
  return `import MySQLdb  # pr ${pr}\n\n\ndef connect():\n    return MySQLdb.connect(host="db-${j}")\n`;
}

function filesAt(pr: number, rev: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let j = 1; j <= rev; j++) files.set(`pr${pr}/mod_${j}.py`, fileText(pr, j));
  return files;
}

export interface PostedReview {
  id: number;
  pr: number;
  commitId: string;
  /** performance.now() when it was posted. */
  at: number;
  comments: { path: string; line: number; body: string }[];
}

interface Thread {
  id: string;
  pr: number;
  isResolved: boolean;
  body: string;
}

export interface FakeGithubOptions {
  /** Added to every response (ms), to look like a network. */
  latencyMs?: number;
  /** Share of check-run and review POSTs answered 502 before doing anything (exercises retries). */
  faultRate?: number;
  /** Content-creating requests allowed in any 60 s (default GitHub's, src/platforms/github/limits.ts). */
  writesPerMinute?: number;
  /** The same in any hour (default GitHub's). */
  writesPerHour?: number;
}

export const SECONDARY_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";

export class FakeGithub {
  readonly reviews: PostedReview[] = [];
  readonly requests = new Map<string, number>();
  readonly checkRuns = new Map<number, { pr: number; headSha: string; status: string }>();
  faults = 0;
  /** Writes GitHub took (refused ones not counted), and when: the last minute's, and the last hour's. */
  readonly writeTimes: number[] = [];
  private readonly hourWrites: number[] = [];
  private inFlight = 0;
  /** The most requests GitHub had in flight at once (its limit: 100). */
  peakInFlight = 0;
  /** 403s for the secondary limit. */
  secondaryLimited = 0;
  /** Writes per head SHA (check runs and reviews name their commit; mutations are counted apart). */
  readonly writesByHead = new Map<string, number>();
  otherWrites = 0;
  /** Writes answered with an injected 502, per head: the service sends them again. */
  readonly faultsByHead = new Map<string, number>();
  /** Most writes seen in any 60 s. */
  peakWritesPerMinute = 0;
  private readonly revisions = new Map<string, { pr: number; rev: number }>();
  private readonly heads = new Map<number, number>();
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private server?: Server;
  url = "";

  constructor(private readonly options: FakeGithubOptions = {}) {}

  /** A push: revision `rev` becomes the pull request's head. */
  push(pr: number, rev: number): string {
    const head = headSha(pr, rev);
    this.revisions.set(head, { pr, rev });
    if ((this.heads.get(pr) ?? 0) < rev) this.heads.set(pr, rev);
    return head;
  }

  head(pr: number): number | undefined {
    return this.heads.get(pr);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ message: String(err) }));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private count(name: string): void {
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    res.on("close", () => this.inFlight--);
    if (this.inFlight > GITHUB_LIMITS.concurrentRequests) {
      this.secondaryLimited++;
      res.writeHead(403, { "Content-Type": "application/json; charset=utf-8", "retry-after": "1" });
      res.end(JSON.stringify({ message: SECONDARY_LIMIT_MESSAGE }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));

    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(data));
    };
    const fault = () => {
      if (this.options.faultRate && Math.random() < this.options.faultRate) {
        this.faults++;
        const head = String(body.head_sha ?? body.commit_id ?? "");
        if (head) this.faultsByHead.set(head, (this.faultsByHead.get(head) ?? 0) + 1);
        reply(502, { message: "Bad Gateway (injected)" });
        return true;
      }
      return false;
    };
    const repoPath = `/api/v3/repos/${OWNER}/${REPO}`;
    let m: RegExpExecArray | null;

    const isWrite =
      method !== "GET" && !/\/access_tokens$/.test(path) && (path !== "/api/graphql" || /^\s*mutation\b/.test(String(body.query ?? "")));
    if (isWrite) {
      const now = Date.now();
      while (this.writeTimes.length && this.writeTimes[0]! <= now - 60_000) this.writeTimes.shift();
      while (this.hourWrites.length && this.hourWrites[0]! <= now - 3_600_000) this.hourWrites.shift();
      const overMinute = this.writeTimes.length >= (this.options.writesPerMinute ?? GITHUB_LIMITS.writesPerMinute);
      if (overMinute || this.hourWrites.length >= (this.options.writesPerHour ?? GITHUB_LIMITS.writesPerHour)) {
        this.secondaryLimited++;
        const oldest = overMinute ? this.writeTimes[0]! + 60_000 : this.hourWrites[0]! + 3_600_000;
        const retryAfter = Math.max(1, Math.ceil((oldest - now) / 1000));
        return reply(403, { message: SECONDARY_LIMIT_MESSAGE, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" }, { "retry-after": String(retryAfter) });
      }
      this.hourWrites.push(now);
      this.writeTimes.push(now);
      this.peakWritesPerMinute = Math.max(this.peakWritesPerMinute, this.writeTimes.length);
      const patched = /\/check-runs\/(\d+)$/.exec(path);
      const head = String(body.head_sha ?? body.commit_id ?? (patched ? (this.checkRuns.get(Number(patched[1]))?.headSha ?? "") : ""));
      if (head) this.writesByHead.set(head, (this.writesByHead.get(head) ?? 0) + 1);
      else this.otherWrites++;
    }

    if (method === "POST" && (m = /^\/api\/v3\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      this.count("access_tokens");
      if (Number(m[1]) !== INSTALLATION_ID) return reply(404, { message: "Not Found" });
      const expires = new Date(Date.now() + 3600_000).toISOString();
      return reply(201, { token: `ghs_${randomBytes(18).toString("hex")}`, expires_at: expires, permissions: {}, repository_selection: "all" });
    }
    if (method === "GET" && path === "/api/v3/app") {
      this.count("app");
      return reply(200, { id: 1, slug: "eventlet-review", name: "eventlet-review" });
    }
    if (method === "GET" && (m = new RegExp(`^${repoPath}/pulls/(\\d+)$`).exec(path))) {
      this.count("pulls.get");
      const pr = Number(m[1]);
      const rev = this.heads.get(pr);
      if (rev === undefined) return reply(404, { message: "Not Found" });
      return reply(200, {
        number: pr,
        state: "open",
        draft: false,
        user: { login: "octocat", type: "User" },
        head: { ref: `pr-${pr}`, sha: headSha(pr, rev) },
        base: { ref: "main", sha: BASE_SHA },
      });
    }
    if (method === "GET" && (m = new RegExp(`^${repoPath}/pulls/(\\d+)/files$`).exec(path))) {
      this.count("pulls.listFiles");
      const pr = Number(m[1]);
      const rev = this.heads.get(pr);
      if (rev === undefined) return reply(404, { message: "Not Found" });
      const page = Number(url.searchParams.get("page") ?? "1");
      if (page > 1) return reply(200, []);
      const files = [...filesAt(pr, rev)].map(([filename, content]) => {
        const lines = content.replace(/\n$/, "").split("\n");
        return {
          sha: sha(content),
          filename,
          status: "added",
          additions: lines.length,
          deletions: 0,
          changes: lines.length,
          patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
        };
      });
      return reply(200, files);
    }
    if (method === "GET" && (m = new RegExp(`^${repoPath}/git/trees/([0-9a-f]{40})$`).exec(path))) {
      this.count("git.getTree");
      const at = this.revisions.get(m[1]!);
      const paths = m[1] === BASE_SHA ? [] : at ? [...filesAt(at.pr, at.rev).keys()] : undefined;
      if (!paths) return reply(404, { message: "Not Found" });
      return reply(200, { sha: m[1], truncated: false, tree: paths.map((p) => ({ path: p, type: "blob", mode: "100644", sha: sha(p) })) });
    }
    if (method === "GET" && path.startsWith(`${repoPath}/contents/`)) {
      this.count("repos.getContent");
      return reply(404, { message: "Not Found" });
    }
    if (method === "POST" && path === `${repoPath}/check-runs`) {
      this.count("checks.create");
      if (fault()) return;
      const id = this.nextId++;
      const at = this.revisions.get(String(body.head_sha));
      this.checkRuns.set(id, { pr: at?.pr ?? 0, headSha: String(body.head_sha), status: String(body.status ?? "queued") });
      return reply(201, { id, head_sha: body.head_sha, status: body.status ?? "queued", name: body.name });
    }
    if (method === "PATCH" && (m = new RegExp(`^${repoPath}/check-runs/(\\d+)$`).exec(path))) {
      this.count("checks.update");
      const run = this.checkRuns.get(Number(m[1]));
      if (!run) return reply(404, { message: "Not Found" });
      if (body.status) run.status = String(body.status);
      return reply(200, { id: Number(m[1]), head_sha: run.headSha, status: run.status });
    }
    if (method === "POST" && (m = new RegExp(`^${repoPath}/pulls/(\\d+)/reviews$`).exec(path))) {
      this.count("pulls.createReview");
      if (fault()) return;
      const pr = Number(m[1]);
      const commitId = String(body.commit_id);
      const at = this.revisions.get(commitId);
      if (!at || at.pr !== pr) return reply(422, { message: "Unprocessable Entity: commit_id is not part of the pull request" });
      const files = filesAt(at.pr, at.rev);
      const comments = (body.comments as { path: string; line: number; body: string }[] | undefined) ?? [];
      for (const c of comments) {
        const content = files.get(c.path);
        if (!content || c.line < 1 || c.line > content.split("\n").length) return reply(422, { message: "Pull request review thread line must be part of the diff" });
      }
      const review: PostedReview = { id: this.nextId++, pr, commitId, at: performance.now(), comments };
      this.reviews.push(review);
      for (const c of comments) this.threads.push({ id: `PRRT_${this.nextId++}`, pr, isResolved: false, body: c.body });
      return reply(200, { id: review.id, node_id: `PRR_${review.id}`, commit_id: commitId, state: "COMMENTED" });
    }
    if (method === "POST" && path === "/api/graphql") {
      this.count("graphql");
      return reply(200, { data: this.graphql(String(body.query ?? ""), (body.variables ?? {}) as Record<string, unknown>) });
    }
    this.count(`unhandled ${method} ${path}`);
    return reply(404, { message: `Not Found (fake GitHub has no ${method} ${path})` });
  }

  private graphql(query: string, variables: Record<string, unknown>): unknown {
    const threadsOf = (pr: number) => ({
      pending: { nodes: [] },
      blocking: { nodes: [] },
      reviewThreads: {
        pageInfo: { hasNextPage: false, endCursor: null },
        nodes: this.threads
          .filter((t) => t.pr === pr)
          .map((t) => ({
            id: t.id,
            isResolved: t.isResolved,
            viewerCanResolve: true,
            resolvedBy: t.isResolved ? { login: "eventlet-review[bot]" } : null,
            comments: { nodes: [{ body: t.body, viewerDidAuthor: true, author: { login: "eventlet-review[bot]" } }] },
          })),
      },
    });
    if (/^\s*query EventletReviewPull\b/.test(query)) {
      // The head check, config, facts files, threads and reviews in one query (src/platforms/github/snapshot.ts).
      this.count("graphql.pull");
      const pr = Number(variables.number);
      const rev = this.heads.get(pr);
      const at = this.revisions.get(String(variables.root).split(":")[0]!);
      const root = at ? { entries: [...new Set([...filesAt(at.pr, at.rev).keys()].map((p) => p.split("/")[0]!))].map((name) => ({ name })) } : null;
      const pullRequest = rev === undefined ? null : { state: "OPEN", isDraft: false, headRefOid: headSha(pr, rev), ...threadsOf(pr) };
      return { repository: { ...this.blobs(variables), root, pullRequest } };
    }
    if (query.includes("reviewThreads")) return { repository: { pullRequest: threadsOf(Number(variables.number)) } };
    if (query.includes("resolveReviewThread")) {
      const thread = this.threads.find((t) => t.id === variables.threadId);
      if (thread) thread.isResolved = true;
      return { resolveReviewThread: { thread: { id: variables.threadId, isResolved: true } } };
    }
    if (query.includes("object(expression:")) return { repository: this.blobs(variables) };
    throw new Error(`fake GitHub: unknown GraphQL query ${query.slice(0, 80)}`);
  }

  /** The blob aliases f0, f1… for the expressions e0, e1… (`<sha>:<path>`). */
  private blobs(variables: Record<string, unknown>): Record<string, unknown> {
    const repository: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(variables)) {
      const alias = /^e(\d+)$/.exec(name);
      if (!alias) continue;
      const [revision, ...rest] = String(value).split(":");
      const at = this.revisions.get(revision!);
      const text = at ? filesAt(at.pr, at.rev).get(rest.join(":")) : undefined;
      repository[`f${alias[1]}`] = text === undefined ? null : { byteSize: Buffer.byteLength(text), text, isBinary: false, isTruncated: false };
    }
    return repository;
  }
}
