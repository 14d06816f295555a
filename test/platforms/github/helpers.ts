/**
 * Test plumbing for the GitHub App: an in-memory JobQueue with the service's contract (dedupe by
 * eventId), webhook payloads derived from @octokit/webhooks-examples, a real HTTP server in front of
 * the adapter, and signed deliveries.
 */
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { pino } from "pino";
import type { Finding } from "../../../src/model/finding.js";
import type { WriteBudget } from "../../../src/platforms/github/budget.js";
import type { RecheckLimiter } from "../../../src/platforms/recheck-limit.js";
import { buildGithubAdapter, type GithubAdapter } from "../../../src/platforms/github/index.js";
import { githubSettings } from "../../../src/platforms/github/settings.js";
import type { ApiFailure, JobHandler, JobQueue, Ledger, Platform, ReviewJob, ServiceHooks, SubmitResult } from "../../../src/platforms/adapter.js";
import { APP_ID, INSTALLATION_ID } from "./fake-github.js";

const require = createRequire(import.meta.url);
export const WEBHOOK_SECRET = "It's a Secret to Everybody";
export const PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

/** The service's queue contract, in memory: dedupe on eventId; jobs run when the test says so. */
export class MemoryQueue implements JobQueue {
  readonly submitted: ReviewJob[] = [];
  readonly pending: ReviewJob[] = [];
  private readonly seen = new Set<string>();
  private readonly handlers = new Map<Platform, JobHandler>();

  async submit(job: ReviewJob): Promise<SubmitResult> {
    JSON.parse(JSON.stringify(job)); // must survive Redis
    if (this.seen.has(job.eventId)) return { accepted: false, reason: "duplicate" };
    this.seen.add(job.eventId);
    this.submitted.push(job);
    this.pending.push(job);
    return { accepted: true };
  }

  handle(platform: Platform, handler: JobHandler): void {
    this.handlers.set(platform, handler);
  }

  async close(): Promise<void> {}

  /** Hands every pending job to `run` (the adapter's runJob), in order; returns the errors. */
  async drain(run: (job: ReviewJob) => Promise<void>): Promise<unknown[]> {
    const errors: unknown[] = [];
    while (this.pending.length) {
      const job = this.pending.shift()!;
      // What the service does: the job crosses JSON (Redis) before it runs.
      await run(JSON.parse(JSON.stringify(job)) as ReviewJob).catch((e: unknown) => errors.push(e));
    }
    return errors;
  }
}

export class RecordingHooks implements ServiceHooks {
  readonly events: string[] = [];
  readonly posted: Finding[][] = [];
  readonly apiErrors: ApiFailure[] = [];
  readonly analysis: number[] = [];
  eventReceived(_p: Platform, kind: string): void {
    this.events.push(kind);
  }
  reviewPosted(_p: Platform, findings: readonly Finding[]): void {
    this.posted.push([...findings]);
  }
  apiError(_p: Platform, failure: ApiFailure): void {
    this.apiErrors.push(failure);
  }
  analysisSeconds(_p: Platform, seconds: number): void {
    this.analysis.push(seconds);
  }
}

export const silentLogger = pino({ level: "silent" });

export function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { APP_ID: String(APP_ID), PRIVATE_KEY, WEBHOOK_SECRET, ...extra };
}

export interface Harness {
  adapter: GithubAdapter;
  queue: MemoryQueue;
  hooks: RecordingHooks;
  url: string;
  server: Server;
  close(): Promise<void>;
  /** POSTs a signed webhook to the real HTTP server; returns the status code. */
  deliver(event: string, payload: unknown, options?: { id?: string; secret?: string }): Promise<{ status: number; id: string; body: string }>;
  runJobs(): Promise<unknown[]>;
}

export async function startHarness(options: { env?: Record<string, string>; budget?: WriteBudget; ledger?: Ledger; rechecks?: RecheckLimiter } = {}): Promise<Harness> {
  const queue = new MemoryQueue();
  const hooks = new RecordingHooks();
  const settings = githubSettings(appEnv(options.env))!;
  const adapter = await buildGithubAdapter(
    settings,
    { queue, hooks, logger: silentLogger, ...(options.ledger ? { ledger: options.ledger } : {}) },
    {
      ...(options.budget ? { budget: options.budget } : {}),
      ...(options.rechecks ? { rechecks: options.rechecks } : {}),
    },
  );
  const server = createServer((req, res) => {
    adapter.handleHttp(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end("not found\n");
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    adapter,
    queue,
    hooks,
    url,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async deliver(event, payload, opts = {}) {
      const id = opts.id ?? randomUUID();
      const body = JSON.stringify(payload);
      const signature = `sha256=${createHmac("sha256", opts.secret ?? WEBHOOK_SECRET).update(body).digest("hex")}`;
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id, "x-hub-signature-256": signature },
        body,
      });
      return { status: response.status, id, body: await response.text() };
    },
    runJobs: () => queue.drain((job) => adapter.runJob(job)),
  };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Example {
  name: string;
  examples: Json[];
}
const EXAMPLES = require("@octokit/webhooks-examples") as Example[];

/** A deep copy of the first example of `event` with `action` (and an installation, when one has it). */
export function example(event: string, action: string): Json {
  const list = EXAMPLES.find((e) => e.name === event)!.examples.filter((x) => x.action === action);
  const chosen = list.find((x) => x.installation) ?? list[0];
  if (!chosen) throw new Error(`no example for ${event}.${action}`);
  return structuredClone(chosen);
}

export interface PullSpec {
  number: number;
  headSha: string;
  baseSha: string;
  draft?: boolean;
  author?: string;
  /** `owner/repo` of a fork. */
  fork?: string;
  owner?: string;
  repo?: string;
}

function adaptRepository(payload: Json, owner: string, repo: string): void {
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
}

/** `pull_request.<action>` adapted from GitHub's example payload. */
export function pullRequestEvent(action: string, spec: PullSpec): Json {
  const owner = spec.owner ?? "Codertocat";
  const repo = spec.repo ?? "Hello-World";
  const payload = example("pull_request", action === "synchronize" || action === "reopened" || action === "ready_for_review" ? action : "opened");
  payload.action = action;
  adaptRepository(payload, owner, repo);
  const pr = payload.pull_request;
  pr.number = spec.number;
  payload.number = spec.number;
  pr.state = "open";
  pr.draft = spec.draft ?? false;
  pr.user.login = spec.author ?? "octocat";
  pr.head.sha = spec.headSha;
  pr.base.sha = spec.baseSha;
  pr.base.repo.full_name = `${owner}/${repo}`;
  pr.base.repo.name = repo;
  pr.base.repo.owner.login = owner;
  if (spec.fork) {
    const [forkOwner, forkRepo] = spec.fork.split("/");
    pr.head.repo = { ...pr.head.repo, full_name: spec.fork, name: forkRepo, fork: true, owner: { ...pr.head.repo.owner, login: forkOwner } };
    pr.head.label = `${forkOwner}:feature`;
  }
  if (action === "synchronize") {
    payload.before = "f".repeat(40);
    payload.after = spec.headSha;
  }
  return payload;
}

/** `issue_comment.created` on a pull request (the example is on an issue: add `issue.pull_request`). */
export function issueCommentEvent(spec: { number: number; body: string; login: string; association: string; type?: string; commentId?: number }): Json {
  const payload = example("issue_comment", "created");
  adaptRepository(payload, "Codertocat", "Hello-World");
  payload.issue.number = spec.number;
  payload.issue.pull_request = {
    url: `https://api.github.com/repos/Codertocat/Hello-World/pulls/${spec.number}`,
    html_url: `https://github.com/Codertocat/Hello-World/pull/${spec.number}`,
    diff_url: `https://github.com/Codertocat/Hello-World/pull/${spec.number}.diff`,
    patch_url: `https://github.com/Codertocat/Hello-World/pull/${spec.number}.patch`,
  };
  payload.comment.id = spec.commentId ?? 5150;
  payload.comment.body = spec.body;
  payload.comment.user.login = spec.login;
  payload.comment.user.type = spec.type ?? "User";
  payload.comment.author_association = spec.association;
  return payload;
}

/** `check_run.rerequested` / `check_suite.rerequested`, as GitHub sends them for a fork PR: no pull_requests. */
export function rerequestEvent(kind: "check_run" | "check_suite", spec: { headSha: string; name?: string; externalId?: string; pulls?: number[] }): Json {
  const payload = example(kind, "rerequested");
  adaptRepository(payload, "Codertocat", "Hello-World");
  const target = payload[kind];
  target.head_sha = spec.headSha;
  target.pull_requests = (spec.pulls ?? []).map((n) => ({
    number: n,
    id: n,
    url: "",
    head: { ref: "feature", sha: spec.headSha, repo: { id: 1, name: "Hello-World", url: "" } },
    base: { ref: "main", sha: "b".repeat(40), repo: { id: 1, name: "Hello-World", url: "" } },
  }));
  if (kind === "check_run") {
    target.name = spec.name ?? "eventlet-review";
    target.external_id = spec.externalId ?? "";
  }
  return payload;
}
