/**
 * A fake GitHub behind nock: the REST and GraphQL endpoints the App uses, with state (pull requests,
 * commits, check runs, reviews, review threads), so a test can push twice and see what a second push
 * does to the first review. `GET /repos/{o}/{r}/tarball/{sha}` answers as GitHub does: a 302 to
 * codeload.github.com, which serves the commit as a tar.gz shaped like GitHub's (`githubTarball`). Every REST body is validated against GitHub's OpenAPI description and every
 * GraphQL request against GitHub's GraphQL schema; problems collect in `invalid`.
 */
import { gzipSync } from "node:zlib";
import nock from "nock";
import { pack } from "tar-stream";
import { validateGraphql } from "./graphql.js";
import { validateRequest } from "./openapi.js";

export const APP_ID = 4242;
export const APP_SLUG = "eventlet-review-test";
export const BOT_LOGIN = `${APP_SLUG}[bot]`;
export const INSTALLATION_ID = 77;
export const INSTALLATION_TOKEN = "ghs_fakeInstallationToken";

export interface FakeFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  previous_filename?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
  patch?: string;
  /** Lines GitHub accepts comments on; default: the added and context lines of `patch`. */
  commentable?: number[];
}

export interface FakePull {
  number: number;
  state: "open" | "closed";
  draft: boolean;
  author: string;
  headSha: string;
  baseSha: string;
  /** `owner/repo` of the head: another repository for a fork. */
  headRepo: string;
  files: FakeFile[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** GraphQL operation name, for POST /graphql. */
  operation?: string;
  authorization?: string;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id?: string;
  status: string;
  conclusion?: string;
  output?: { title?: string; summary?: string; text?: string };
  annotations: Array<Record<string, unknown>>;
  updates: number;
}

export interface Review {
  id: number;
  node_id: string;
  pull: number;
  state: "PENDING" | "COMMENTED" | "CHANGES_REQUESTED" | "DISMISSED";
  dismissal?: string;
  event?: string;
  body?: string;
  commit_id?: string;
  /** Who wrote it (default: the App's bot); a PENDING review is visible to its author only. */
  author?: string;
  comments: Array<{ path: string; line: number; start_line?: number; body: string }>;
}

export interface Thread {
  id: string;
  pull: number;
  path: string;
  line: number;
  isResolved: boolean;
  resolvedBy?: string;
  /** The review that opened it. */
  review?: number;
  comments: Array<{ body: string; author: string }>;
}

interface Failure {
  method: string;
  path: RegExp;
  status: number;
  times: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly invalid: string[] = [];
  readonly commits = new Map<string, Map<string, string | Buffer>>();
  readonly pulls = new Map<number, FakePull>();
  readonly checkRuns: CheckRun[] = [];
  readonly reviews: Review[] = [];
  readonly threads: Thread[] = [];
  readonly reactions: Array<{ commentId: number; content: string }> = [];
  readonly issueComments: Array<{ issue: number; body: string }> = [];
  /** Repository roles by login (`role_name` of the collaborator permission endpoint); others have none. */
  readonly roles = new Map<string, "read" | "triage" | "write" | "maintain" | "admin">();
  private readonly failures: Failure[] = [];
  /** `base...head` → merge base SHA for the compare API (default: the base itself). */
  readonly mergeBases = new Map<string, string>();
  /** The token may not resolve threads (as the Actions GITHUB_TOKEN is reported to be): viewerCanResolve false. */
  cannotResolve = false;
  /** Answer tree requests as GitHub does for huge repositories: cut, with `truncated: true`. */
  truncateTrees = false;
  /** Archives codeload serves instead of the commit's own (a test's hostile or oversized one), by SHA. */
  readonly archives = new Map<string, Buffer>();
  /** The repository's `diskUsage` (kilobytes) in GraphQL; default: the size of every commit's files. */
  diskUsage?: number;
  /** Downloads from codeload.github.com (not API calls): their paths. */
  readonly downloads: string[] = [];
  private nextId = 1000;

  constructor(
    readonly owner = "Codertocat",
    readonly repo = "Hello-World",
    readonly origin = "https://api.github.com",
    readonly restPrefix = "",
    readonly graphqlPath = "/graphql",
    readonly codeloadOrigin = "https://codeload.github.com",
  ) {}

  /** Starts intercepting; call `nock.cleanAll()` to stop. */
  install(): this {
    const scope = nock(this.origin).persist();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"] as const) {
      scope.intercept(/.*/, method).reply(function (uri, body) {
        return fake.handle(method, uri, body, String(this.req.headers.authorization ?? ""));
      });
    }
    nock(this.codeloadOrigin)
      .persist()
      .get(/.*/)
      .reply(function (uri) {
        return fake.download(uri, String(this.req.headers.authorization ?? ""));
      });
    return this;
  }

  commit(sha: string, files: Record<string, string | Buffer>): void {
    this.commits.set(sha, new Map(Object.entries(files)));
  }

  addPull(pull: Partial<FakePull> & Pick<FakePull, "number" | "headSha" | "baseSha" | "files">): FakePull {
    const full: FakePull = { state: "open", draft: false, author: "octocat", headRepo: `${this.owner}/${this.repo}`, ...pull };
    this.pulls.set(full.number, full);
    return full;
  }

  /** The next `times` requests matching method and path fail with `status`. */
  fail(method: string, path: RegExp, status: number, times = 1, body: unknown = { message: "Server Error" }, headers?: Record<string, string>): void {
    this.failures.push({ method, path, status, times, body, headers });
  }

  /** Requests other than authentication (installation tokens). */
  apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => !/^\/app\/installations\/\d+\/access_tokens$/.test(r.path));
  }

  /** Content-creating requests, as GitHub's secondary limit counts them: REST writes and GraphQL mutations. */
  writes(): RecordedRequest[] {
    return this.apiRequests().filter((r) =>
      r.path === "/graphql" ? /^\s*mutation\b/.test(String((r.body as { query?: string } | undefined)?.query ?? "")) : r.method !== "GET",
    );
  }

  calls(method: string, path: RegExp | string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)));
  }

  graphqlCalls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  reviewComments(pull: number): Review["comments"] {
    return this.reviews.filter((r) => r.pull === pull && r.state !== "PENDING").flatMap((r) => r.comments);
  }

  private handle(method: string, uri: string, rawBody: unknown, authorization: string): [number, unknown, Record<string, string>?] {
    const url = new URL(uri, this.origin);
    let path = decodeURIComponent(url.pathname);
    const body = typeof rawBody === "string" && rawBody !== "" ? safeJson(rawBody) : rawBody === "" ? undefined : rawBody;
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method, path, query, body, authorization };
    this.requests.push(record);

    if (url.pathname === this.graphqlPath && method === "POST") {
      record.path = "/graphql";
      return this.graphql(record, body as { query: string; variables?: Record<string, unknown> });
    }
    if (!path.startsWith(this.restPrefix)) return [404, { message: `not under ${this.restPrefix}` }];
    path = path.slice(this.restPrefix.length);
    record.path = path;

    const problems = validateRequest(method, url.pathname.slice(this.restPrefix.length), body);
    this.invalid.push(...problems);

    const failure = this.failures.find((f) => f.method === method && f.path.test(path) && f.times > 0);
    if (failure) {
      failure.times--;
      return [failure.status, failure.body, failure.headers];
    }
    return this.rest(method, path, query, body as Record<string, unknown>);
  }

  /** codeload.github.com: `/{owner}/{repo}/legacy.tar.gz/{sha}`, the commit as GitHub's tar.gz. */
  private async download(uri: string, authorization: string): Promise<[number, string | Buffer, Record<string, string>] | [number, string]> {
    const path = new URL(uri, this.codeloadOrigin).pathname;
    this.downloads.push(path);
    // The API's token stays at api.github.com: fetch drops it on the redirect to another origin.
    if (authorization !== "") return [400, "authorization sent to codeload"];
    const m = /^\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(path);
    const files = m ? this.commits.get(m[3]) : undefined;
    if (!m || !files) return [404, "Not Found"];
    const archive = this.archives.get(m[3]) ?? (await githubTarball(m[1], m[2], m[3], files));
    return [200, archive, { "content-type": "application/x-gzip", "content-disposition": `attachment; filename=${m[1]}-${m[2]}-${m[3].slice(0, 7)}.tar.gz` }];
  }

  private rest(method: string, path: string, query: Record<string, string>, body: Record<string, unknown>): [number, unknown, Record<string, string>?] {
    const repoBase = `/repos/${this.owner}/${this.repo}`;
    let m: RegExpExecArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: "all" }];
    }
    if (method === "GET" && path === "/app") {
      return [200, { id: APP_ID, slug: APP_SLUG, name: "eventlet-review (test)", owner: { login: this.owner } }];
    }
    if (!path.startsWith(repoBase)) return [404, { message: "Not Found" }];
    const rest = path.slice(repoBase.length);

    if (method === "GET" && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return [404, { message: "Not Found" }];
      const perPage = Math.min(Number(query.per_page ?? 30), 100);
      const page = Number(query.page ?? 1);
      const all = pull.files.slice(0, 3000);
      const items = all.slice((page - 1) * perPage, page * perPage).map((f) => this.fileJson(f));
      const headers: Record<string, string> = {};
      const last = Math.ceil(all.length / perPage);
      if (page < last) {
        const next = `${this.origin}${this.restPrefix}${path}?per_page=${perPage}&page=${page + 1}`;
        headers.link = `<${next}>; rel="next", <${this.origin}${this.restPrefix}${path}?per_page=${perPage}&page=${last}>; rel="last"`;
      }
      return [200, items, headers];
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      return pull ? [200, this.pullJson(pull)] : [404, { message: "Not Found" }];
    }
    if (method === "GET" && rest === "/pulls") {
      const open = [...this.pulls.values()].filter((p) => query.state === "all" || p.state === (query.state ?? "open"));
      return [200, open.map((p) => this.pullJson(p))];
    }
    if (method === "GET" && (m = /^\/git\/trees\/([0-9a-f]+)$/.exec(rest))) {
      const files = this.commits.get(m[1]);
      if (!files) return [404, { message: "Not Found" }];
      const tree = [...files.keys()].map((p) => ({ path: p, mode: "100644", type: "blob", sha: "0".repeat(40), size: files.get(p)!.length }));
      return [200, { sha: m[1], url: "", tree: this.truncateTrees ? tree.slice(0, 1) : tree, truncated: this.truncateTrees }];
    }
    if (method === "GET" && (m = /^\/tarball\/([^/]+)$/.exec(rest))) {
      if (!this.commits.has(m[1])) return [404, { message: "Not Found" }];
      return [302, "", { location: `${this.codeloadOrigin}/${this.owner}/${this.repo}/legacy.tar.gz/${m[1]}` }];
    }
    if (method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const content = this.commits.get(query.ref)?.get(m[1]);
      if (content === undefined) return [404, { message: "Not Found" }];
      return [200, Buffer.from(content), { "content-type": "application/vnd.github.raw" }];
    }
    if ((method === "POST" && rest === "/check-runs") || (method === "PATCH" && /^\/check-runs\/\d+$/.test(rest))) {
      const output = body.output as Record<string, unknown> | undefined;
      for (const field of ["summary", "text"]) {
        const value = output?.[field];
        // GitHub measures these in UTF-8 bytes (github/docs#35252).
        if (typeof value === "string" && Buffer.byteLength(value) > 65535) {
          return [422, { message: `Invalid request.\n\nOnly 65535 bytes are allowed; ${Buffer.byteLength(value)} were supplied. (output.${field} exceeds a maximum bytesize)` }];
        }
      }
    }
    if (method === "POST" && rest === "/check-runs") {
      const run: CheckRun = {
        id: this.nextId++,
        name: String(body.name),
        head_sha: String(body.head_sha),
        external_id: body.external_id as string | undefined,
        status: String(body.status ?? "queued"),
        annotations: [],
        updates: 0,
      };
      this.applyCheckRun(run, body);
      this.checkRuns.push(run);
      return [201, { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status }];
    }
    if (method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return [404, { message: "Not Found" }];
      run.updates++;
      this.applyCheckRun(run, body);
      return [200, { id: run.id, status: run.status, conclusion: run.conclusion }];
    }
    if (method === "POST" && (m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return [404, { message: "Not Found" }];
      const comments = (body.comments as Review["comments"] | undefined) ?? [];
      if (this.reviews.some((r) => r.pull === pull.number && r.state === "PENDING" && (r.author ?? BOT_LOGIN) === BOT_LOGIN)) {
        return [422, { message: "Unprocessable Entity", errors: ["User can only have one pending review per pull request"], status: "422" }];
      }
      for (const c of comments) {
        if (!this.commentable(pull, c.path, c.line)) {
          return [422, { message: "Unprocessable Entity", errors: ["Pull request review thread line must be part of the diff"], status: "422" }];
        }
      }
      const review: Review = {
        id: this.nextId++,
        node_id: `PRR_${this.nextId}`,
        pull: pull.number,
        state: body.event ? (body.event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED") : "PENDING",
        event: body.event as string | undefined,
        body: body.body as string | undefined,
        commit_id: body.commit_id as string | undefined,
        comments: [],
      };
      this.reviews.push(review);
      for (const c of comments) this.addThread(review, c);
      return [200, { id: review.id, node_id: review.node_id, state: review.state, body: review.body ?? "" }];
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const list = this.reviews.filter((r) => r.pull === Number(m![1]) && r.state !== "PENDING");
      return [200, list.map((r) => ({ id: r.id, node_id: r.node_id, state: r.state, body: r.body ?? "", commit_id: r.commit_id, user: { login: r.author ?? BOT_LOGIN, type: r.author && r.author !== BOT_LOGIN ? "User" : "Bot" } }))];
    }
    if (method === "PUT" && (m = /^\/pulls\/(\d+)\/reviews\/(\d+)\/dismissals$/.exec(rest))) {
      const review = this.reviews.find((r) => r.id === Number(m![2]));
      if (!review || review.state !== "CHANGES_REQUESTED") return [422, { message: "Can not dismiss a commented pull request review" }];
      review.state = "DISMISSED";
      review.dismissal = String(body.message);
      return [200, { id: review.id, state: "DISMISSED" }];
    }
    if (method === "POST" && (m = /^\/pulls\/(\d+)\/reviews\/(\d+)\/events$/.exec(rest))) {
      const review = this.reviews.find((r) => r.id === Number(m![2]));
      if (!review || review.state !== "PENDING") return [422, { message: "Unprocessable Entity" }];
      review.state = body.event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED";
      review.event = String(body.event);
      review.body = body.body as string | undefined;
      return [200, { id: review.id, state: review.state }];
    }
    if (method === "DELETE" && (m = /^\/pulls\/(\d+)\/reviews\/(\d+)$/.exec(rest))) {
      const i = this.reviews.findIndex((r) => r.id === Number(m![2]) && r.state === "PENDING");
      if (i < 0) return [422, { message: "Unprocessable Entity" }];
      this.reviews.splice(i, 1);
      // Deleting a pending review deletes the comments it holds.
      for (let t = this.threads.length - 1; t >= 0; t--) if (this.threads[t].review === Number(m[2])) this.threads.splice(t, 1);
      return [200, { id: Number(m[2]) }];
    }
    if (method === "GET" && (m = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      if (!this.commits.has(m[1]) || !this.commits.has(m[2])) return [404, { message: "Not Found" }];
      const base = this.mergeBases.get(`${m[1]}...${m[2]}`) ?? m[1];
      return [200, { status: "diverged", merge_base_commit: { sha: base }, base_commit: { sha: m[1] }, commits: [], files: [] }];
    }
    if (method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const role = this.roles.get(m[1]);
      // `permission` folds maintain into write and triage into read, as GitHub's does.
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : (role ?? "none");
      return [200, { permission, role_name: role ?? "none", user: { login: m[1] } }];
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      this.issueComments.push({ issue: Number(m[1]), body: String(body.body) });
      return [201, { id: this.nextId++, body: body.body }];
    }
    if (method === "POST" && (m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      this.reactions.push({ commentId: Number(m[1]), content: String(body.content) });
      return [201, { id: this.nextId++, content: body.content }];
    }
    return [404, { message: `fake GitHub has no route for ${method} ${path}` }];
  }

  private applyCheckRun(run: CheckRun, body: Record<string, unknown>): void {
    if (body.status) run.status = String(body.status);
    if (body.conclusion) {
      run.conclusion = String(body.conclusion);
      run.status = "completed";
    }
    const output = body.output as (CheckRun["output"] & { annotations?: Array<Record<string, unknown>> }) | undefined;
    if (output) {
      if ((output.annotations?.length ?? 0) > 50) this.invalid.push(`check run ${run.id}: more than 50 annotations in one request`);
      run.annotations.push(...(output.annotations ?? []));
      run.output = { title: output.title, summary: output.summary, text: output.text };
    }
  }

  private addThread(review: Review, c: Review["comments"][number]): void {
    review.comments.push(c);
    this.threads.push({
      id: `PRRT_${this.nextId++}`,
      pull: review.pull,
      review: review.id,
      path: c.path,
      line: c.line,
      isResolved: false,
      comments: [{ body: c.body, author: BOT_LOGIN }],
    });
  }

  private commentable(pull: FakePull, path: string, line: number): boolean {
    const file = pull.files.find((f) => f.filename === path);
    if (!file) return false;
    if (file.commentable) return file.commentable.includes(line);
    return file.patch !== undefined && hunkLines(file.patch).has(line);
  }

  private fileJson(f: FakeFile) {
    const { commentable: _c, ...rest } = f;
    return {
      sha: "0".repeat(40),
      additions: 0,
      deletions: 0,
      changes: f.patch ? f.patch.split("\n").filter((l) => /^[+-]/.test(l)).length : 0,
      blob_url: "",
      raw_url: "",
      contents_url: "",
      ...rest,
    };
  }

  private pullJson(p: FakePull) {
    const repo = (fullName: string) => ({ full_name: fullName, name: fullName.split("/")[1], owner: { login: fullName.split("/")[0] }, fork: fullName !== `${this.owner}/${this.repo}` });
    return {
      number: p.number,
      state: p.state,
      draft: p.draft,
      user: { login: p.author, type: "User" },
      head: { sha: p.headSha, ref: "feature", label: `${p.headRepo.split("/")[0]}:feature`, repo: repo(p.headRepo) },
      base: { sha: p.baseSha, ref: "main", label: `${this.owner}:main`, repo: repo(`${this.owner}/${this.repo}`) },
    };
  }

  private graphql(record: RecordedRequest, body: { query: string; variables?: Record<string, unknown> }): [number, unknown] {
    const op = /^\s*(?:query|mutation)\s+(\w+)/.exec(body?.query ?? "")?.[1];
    record.operation = op;
    const variables = body.variables ?? {};
    this.invalid.push(...validateGraphql(body.query ?? "", variables).map((p) => `${op}: ${p}`));
    const failure = this.failures.find((f) => f.method === "POST" && f.path.test(`/graphql#${op}`) && f.times > 0);
    if (failure) {
      failure.times--;
      return [failure.status, failure.body];
    }
    switch (op) {
      case "EventletReviewBlobs":
        return [200, { data: { repository: this.blobs(variables) } }];
      case "EventletReviewPull": {
        const pull = this.pulls.get(Number(variables.number));
        const node = pull
          ? { state: pull.state === "open" ? "OPEN" : "CLOSED", isDraft: pull.draft, headRefOid: pull.headSha, ...this.threadsNode(pull.number, variables.cursor, true) }
          : null;
        const [rootSha] = String(variables.root).split(":");
        const names = [...new Set([...(this.commits.get(rootSha)?.keys() ?? [])].map((p) => p.split("/")[0]))];
        const root = this.commits.has(rootSha) ? { entries: names.map((name) => ({ name })) } : null;
        return [200, { data: { repository: { ...this.blobs(variables), diskUsage: this.diskUsage ?? this.commitsKilobytes(), root, pullRequest: node } } }];
      }
      case "EventletReviewThreads": {
        const pull = this.pulls.get(Number(variables.number));
        return [200, { data: { repository: { pullRequest: pull ? this.threadsNode(pull.number, variables.cursor, variables.first === true) : null } } }];
      }
      case "EventletResolveThread": {
        const thread = this.threads.find((t) => t.id === variables.threadId);
        if (!thread) return [200, { data: null, errors: [{ message: "Could not resolve to a node" }] }];
        if (this.cannotResolve) return [200, { data: { resolveReviewThread: null }, errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] }];
        thread.isResolved = true;
        thread.resolvedBy = BOT_LOGIN;
        return [200, { data: { resolveReviewThread: { thread: { id: thread.id, isResolved: true } } } }];
      }
      case "EventletAddThread": {
        const input = variables.input as { pullRequestReviewId: string; path: string; line: number; startLine?: number; body: string };
        const review = this.reviews.find((r) => r.node_id === input.pullRequestReviewId && r.state === "PENDING");
        const pull = review ? this.pulls.get(review.pull) : undefined;
        if (!review || !pull || !this.commentable(pull, input.path, input.line)) {
          return [200, { data: { addPullRequestReviewThread: null }, errors: [{ type: "UNPROCESSABLE", message: "Could not resolve line: must be part of the diff" }] }];
        }
        this.addThread(review, { path: input.path, line: input.line, body: input.body });
        return [200, { data: { addPullRequestReviewThread: { thread: { id: this.threads[this.threads.length - 1].id } } } }];
      }
      default:
        this.invalid.push(`GraphQL: unknown operation ${op}`);
        return [200, { errors: [{ message: `unknown operation ${op}` }] }];
    }
  }

  private commitsKilobytes(): number {
    let bytes = 0;
    for (const files of this.commits.values()) for (const content of files.values()) bytes += Buffer.byteLength(content);
    return Math.ceil(bytes / 1024);
  }

  /** The blob aliases f0, f1… of a query, for the expressions in e0, e1…. */
  private blobs(variables: Record<string, unknown>): Record<string, unknown> {
    const repository: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(variables)) {
      const alias = /^e(\d+)$/.exec(name);
      if (!alias) continue;
      const [sha, ...rest] = String(value).split(":");
      const content = this.commits.get(sha)?.get(rest.join(":"));
      const byteSize = content === undefined ? 0 : Buffer.byteLength(content);
      // GitHub cuts Blob.text at 512,000 bytes and says so in isTruncated.
      repository[`f${alias[1]}`] =
        content === undefined
          ? null
          : Buffer.isBuffer(content)
            ? { byteSize, text: null, isBinary: true, isTruncated: false }
            : { byteSize, text: byteSize > 512_000 ? Buffer.from(content).subarray(0, 512_000).toString() : content, isBinary: false, isTruncated: byteSize > 512_000 };
    }
    return repository;
  }

  /** A pull request's threads page (100 from `cursor`) and, on the first page, its pending and blocking reviews. */
  private threadsNode(pull: number, cursor: unknown, withReviews: boolean): Record<string, unknown> {
    const all = this.threads.filter((t) => t.pull === pull);
    const start = cursor ? Number(cursor) : 0;
    const page = all.slice(start, start + 100);
    const hasNextPage = start + 100 < all.length;
    const review = (r: Review) => ({ databaseId: r.id, viewerDidAuthor: (r.author ?? BOT_LOGIN) === BOT_LOGIN, body: r.body ?? "" });
    return {
      ...(withReviews
        ? {
            pending: { nodes: this.reviews.filter((r) => r.pull === pull && r.state === "PENDING").map(({ id, author }) => ({ databaseId: id, viewerDidAuthor: (author ?? BOT_LOGIN) === BOT_LOGIN })) },
            blocking: { nodes: this.reviews.filter((r) => r.pull === pull && r.state === "CHANGES_REQUESTED").map(review) },
          }
        : {}),
      reviewThreads: {
        pageInfo: { hasNextPage, endCursor: hasNextPage ? String(start + 100) : null },
        nodes: page.map((t) => ({
          id: t.id,
          isResolved: t.isResolved,
          viewerCanResolve: !this.cannotResolve,
          resolvedBy: t.resolvedBy ? { login: t.resolvedBy } : null,
          comments: { nodes: t.comments.slice(0, 1).map((c) => ({ body: c.body, viewerDidAuthor: c.author === BOT_LOGIN, author: { login: c.author } })) },
        })),
      },
    };
  }
}

/** An entry of a tar archive: a header (tar-stream's) and, for a regular file, its content. */
export interface TarEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  linkname?: string;
  content?: string | Buffer;
}

/**
 * A commit as GitHub's tarball holds it: a pax global header whose `comment` is the commit id (as `git
 * archive` writes it), then every path under `owner-repo-<sha7>/`, directories first; `extra` entries
 * (names taken as they are) go at the end. Gzipped. `comment` writes another commit id.
 */
export async function githubTarball(
  owner: string,
  repo: string,
  sha: string,
  files: Map<string, string | Buffer>,
  extra: TarEntry[] = [],
  options: { comment?: string } = {},
): Promise<Buffer> {
  const top = `${owner}-${repo}-${sha.slice(0, 7)}`;
  const dirs = new Set<string>();
  for (const path of files.keys()) path.split("/").slice(0, -1).forEach((_, i, parts) => dirs.add(parts.slice(0, i + 1).join("/")));
  const entries: TarEntry[] = [
    { name: `${top}/`, type: "directory" },
    ...[...dirs].sort().map((d) => ({ name: `${top}/${d}/`, type: "directory" as const })),
    ...[...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, content]) => ({ name: `${top}/${path}`, content })),
    ...extra,
  ];
  return gzipSync(Buffer.concat([await paxGlobalHeader(`comment=${options.comment ?? sha}`), await tarOf(entries)]));
}

async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const archive = pack();
  for (const { content, ...header } of entries) {
    const mode = header.type === "directory" ? 0o755 : 0o644;
    if (content === undefined) archive.entry({ mode, ...header });
    else archive.entry({ mode, ...header }, content);
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A pax global header (type `g`) with one record. tar-stream writes no such entry, so this is a file
 * entry of tar-stream's with its type byte set to `g` and its checksum made again (POSIX ustar layout:
 * type at offset 156, checksum at 148, eight bytes, counted as spaces).
 */
async function paxGlobalHeader(record: string): Promise<Buffer> {
  const line = (n: number) => `${n} ${record}\n`;
  let length = line(0).length;
  while (line(length).length !== length) length = line(length).length;
  const blocks = await tarOf([{ name: "pax_global_header", content: line(length) }]);
  const header = blocks.subarray(0, 512 + Math.ceil(length / 512) * 512);
  header[156] = "g".charCodeAt(0);
  header.fill(" ", 148, 156);
  const sum = header.subarray(0, 512).reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return Buffer.from(header);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** New-side lines inside the hunks of a patch (added and context lines): where comments may go. */
export function hunkLines(patch: string): Set<number> {
  const lines = new Set<number>();
  let n = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      n = Number(h[1]);
      inHunk = true;
    } else if (inHunk && (line.startsWith("+") || line.startsWith(" "))) {
      lines.add(n++);
    }
  }
  return lines;
}

/** A one-hunk unified patch from old to new text with full context (what GitHub shows for small files). */
export function unifiedPatch(oldText: string, newText: string): string {
  const a = oldText === "" ? [] : oldText.replace(/\n$/, "").split("\n");
  const b = newText === "" ? [] : newText.replace(/\n$/, "").split("\n");
  const dp: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i++]}`);
      j++;
    } else if (j < b.length && (i >= a.length || dp[i][j + 1] >= dp[i + 1][j])) {
      out.push(`+${b[j++]}`);
    } else {
      out.push(`-${a[i++]}`);
    }
  }
  return [`@@ -${a.length ? 1 : 0},${a.length} +${b.length ? 1 : 0},${b.length} @@`, ...out].join("\n");
}
