/**
 * A small typed Gerrit REST client on Node's fetch: the authenticated `/a/` endpoints with HTTP Basic,
 * the `)]}'` XSSI prefix stripped, ids and file paths URL-encoded, a timeout per request, and retries
 * with backoff on 5xx, 429 and network failures (then a TransientError, so the queue retries the job).
 */
import type { DiffInfo } from "@gerritcodereview/typescript-api/diff.js";
import type { CommentInfo, CommentRange, FileInfo } from "@gerritcodereview/typescript-api/rest-api.js";
import { TransientError } from "../adapter.js";
import { describeFailure, httpFailure, networkFailure, type ApiFailure } from "../failure.js";

export type { CommentInfo, CommentRange, DiffInfo, FileInfo };

/** The parts of ChangeInfo the bot reads (Gerrit's own type brands every id, which the wire does not). */
export interface GerritChange {
  id: string;
  project: string;
  branch: string;
  change_id: string;
  _number: number;
  status: "NEW" | "MERGED" | "ABANDONED";
  updated?: string;
  work_in_progress?: boolean;
  is_private?: boolean;
  current_revision?: string;
  owner?: GerritAccount;
  revisions?: Record<string, { _number: number; kind?: string; created?: string; ref?: string }>;
  messages?: GerritMessage[];
  /** DETAILED_LABELS: the current patch set's votes, per label, of every reviewer. */
  labels?: Record<string, { all?: GerritApproval[] }>;
  _more_changes?: boolean;
}

export interface GerritMessage {
  id: string;
  author?: GerritAccount;
  message: string;
  tag?: string;
  _revision_number?: number;
  date: string;
}

/** One reviewer's vote on a label; `permitted_voting_range` absent: the account may not vote on it. */
export interface GerritApproval extends GerritAccount {
  value?: number;
  permitted_voting_range?: { min: number; max: number };
}

export interface GerritAccount {
  _account_id: number;
  name?: string;
  username?: string;
  email?: string;
}

export interface CommentInput {
  line?: number;
  range?: CommentRange;
  message: string;
  unresolved?: boolean;
  /** The comment this one answers (a thread reply). */
  in_reply_to?: string;
}

export interface ReviewInput {
  message?: string;
  tag?: string;
  labels?: Record<string, number>;
  comments?: Record<string, CommentInput[]>;
  notify?: "NONE" | "OWNER" | "OWNER_REVIEWERS" | "ALL";
  omit_duplicate_comments?: boolean;
}

/** A non-retryable HTTP answer (4xx other than 429); `body` is Gerrit's plain-text reason. */
export class GerritHttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`Gerrit ${method} ${path} → ${status}: ${body.trim().slice(0, 300)}`);
    this.name = "GerritHttpError";
  }
}

export interface GerritClientOptions {
  url: string;
  username: string;
  password: string;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Attempts for retryable failures (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled per attempt (default 500). */
  backoffMs?: number;
  /** Called for every failed request (`http:503`, `dns`, `network:ECONNREFUSED`...), for metrics. */
  onError?: (failure: ApiFailure) => void;
  fetch?: typeof fetch;
}

const XSSI = ")]}'";

/** `project~number`: the change id Gerrit recommends; each part encoded. */
export function changeId(project: string, number: number | string): string {
  return `${encodeURIComponent(project)}~${encodeURIComponent(String(number))}`;
}

/** `project~branch~I…`: the triplet form, for events that carry only the Change-Id. */
export function changeTriplet(project: string, branch: string, id: string): string {
  return [project, branch, id].map(encodeURIComponent).join("~");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GerritClient {
  private readonly base: string;
  private readonly authorization: string;
  private readonly doFetch: typeof fetch;
  private self?: Promise<GerritAccount>;

  constructor(private readonly options: GerritClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
    this.doFetch = options.fetch ?? fetch;
  }

  /** Raw request on `/a/<path>`; returns the body text with the XSSI prefix removed. */
  async request(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: unknown,
    /** A 404 is an answer here (a file that does not exist), not an API error for the metrics. */
    notFoundIsAnswer = false,
    /** Attempts for this request (POST review: 1, the caller checks whether Gerrit applied it). */
    attemptsHere?: number,
    /** Stop reading a successful answer past this many bytes (ResponseTooLarge): the rest is never downloaded. */
    maxBodyBytes?: number,
  ): Promise<{ status: number; text: string }> {
    const attempts = attemptsHere ?? this.options.attempts ?? 4;
    const backoff = this.options.backoffMs ?? 500;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoff * 2 ** (attempt - 2) * (0.75 + Math.random() * 0.5));
      let response: Response;
      try {
        response = await this.doFetch(`${this.base}/a/${path}`, {
          method,
          headers: {
            Authorization: this.authorization,
            Accept: "application/json",
            ...(body === undefined ? {} : { "Content-Type": "application/json; charset=UTF-8" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        this.options.onError?.(networkFailure(error));
        lastError = error;
        continue;
      }
      if (response.ok && maxBodyBytes !== undefined) {
        const text = await readCapped(response, maxBodyBytes);
        return { status: response.status, text: text.startsWith(XSSI) ? text.slice(XSSI.length).replace(/^\r?\n/, "") : text };
      }
      const text = await response.text().catch(() => "");
      if (response.ok) {
        return { status: response.status, text: text.startsWith(XSSI) ? text.slice(XSSI.length).replace(/^\r?\n/, "") : text };
      }
      if (!(notFoundIsAnswer && response.status === 404)) this.options.onError?.(httpFailure(response.status));
      if (response.status >= 500 || response.status === 429) {
        lastError = new GerritHttpError(response.status, method, path, text);
        const retryAfter = Number(response.headers.get("retry-after"));
        if (response.status === 429 && retryAfter > 0 && attempt < attempts) await sleep(Math.min(retryAfter, 60) * 1000);
        continue;
      }
      throw new GerritHttpError(response.status, method, path, text);
    }
    // "fetch failed" alone hides the reason: name the cause (ECONNREFUSED, ENOTFOUND, a certificate).
    const reason = describeFailure(lastError);
    throw new TransientError(`Gerrit ${method} ${path} failed after ${attempts} attempts: ${reason}`, lastError);
  }

  async json<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const { text } = await this.request(method, path, body);
    return JSON.parse(text) as T;
  }

  /** The bot's own account (cached). */
  selfAccount(): Promise<GerritAccount> {
    this.self ??= this.json<GerritAccount>("GET", "accounts/self").catch((error: unknown) => {
      this.self = undefined;
      throw error;
    });
    return this.self;
  }

  getChange(id: string, options: string[] = ["CURRENT_REVISION", "MESSAGES", "DETAILED_LABELS"]): Promise<GerritChange> {
    return this.json("GET", `changes/${id}${query({ o: options })}`);
  }

  /** Every change a query matches, following `_more_changes` pages. */
  async queryChanges(q: string, options: string[] = ["CURRENT_REVISION"], pageSize = 100): Promise<GerritChange[]> {
    const all: GerritChange[] = [];
    for (let start = 0; ; start += pageSize) {
      const page = await this.json<GerritChange[]>("GET", `changes/${query({ q: [q], o: options, n: [String(pageSize)], S: [String(start)] })}`);
      all.push(...page);
      if (!page.at(-1)?._more_changes || page.length === 0) return all;
    }
  }

  listFiles(change: string, revision: string | number): Promise<Record<string, FileInfo>> {
    return this.json("GET", `changes/${change}/revisions/${encodeURIComponent(String(revision))}/files/`);
  }

  /**
   * File bytes at a revision; undefined when the file does not exist there. With `maxBytes`, the download
   * stops past that many bytes of content and ResponseTooLarge is thrown.
   */
  async fileContent(change: string, revision: string | number, path: string, maxBytes?: number): Promise<Uint8Array | undefined> {
    return this.base64(`changes/${change}/revisions/${encodeURIComponent(String(revision))}/files/${encodeURIComponent(path)}/content`, maxBytes);
  }

  fileDiff(change: string, revision: string | number, path: string): Promise<DiffInfo> {
    return this.json("GET", `changes/${change}/revisions/${encodeURIComponent(String(revision))}/files/${encodeURIComponent(path)}/diff`);
  }

  /** A file at the tip of a branch; undefined when absent. */
  branchFileContent(project: string, branch: string, path: string, maxBytes?: number): Promise<Uint8Array | undefined> {
    return this.base64(`projects/${encodeURIComponent(project)}/branches/${encodeURIComponent(branch)}/files/${encodeURIComponent(path)}/content`, maxBytes);
  }

  /** Published comments of one revision, by path. */
  revisionComments(change: string, revision: string | number): Promise<Record<string, CommentInfo[]>> {
    return this.json("GET", `changes/${change}/revisions/${encodeURIComponent(String(revision))}/comments`);
  }

  /** Every published comment of the change, on every patch set (thread replies carry in_reply_to). */
  changeComments(change: string): Promise<Record<string, CommentInfo[]>> {
    return this.json("GET", `changes/${change}/comments`);
  }

  /**
   * One attempt, never retried here: a POST that timed out or got a 5xx may have been applied, so the
   * caller looks for it before posting again. Retryable failures throw a TransientError.
   */
  async postReview(change: string, revision: string | number, review: ReviewInput): Promise<void> {
    await this.request("POST", `changes/${change}/revisions/${encodeURIComponent(String(revision))}/review`, review, false, 1);
  }

  private async base64(path: string, maxBytes?: number): Promise<Uint8Array | undefined> {
    // Base64 takes 4 characters for every 3 bytes (plus a line end).
    const maxText = maxBytes === undefined ? undefined : Math.ceil(maxBytes / 3) * 4 + 2;
    try {
      const { text } = await this.request("GET", path, undefined, true, undefined, maxText);
      const bytes = Buffer.from(text.trim(), "base64");
      if (maxBytes !== undefined && bytes.length > maxBytes) throw new ResponseTooLarge(maxBytes, bytes.length);
      return bytes;
    } catch (error) {
      if (error instanceof GerritHttpError && error.status === 404) return undefined;
      throw error;
    }
  }
}

/** An answer past the size its caller allows: nothing beyond the limit was downloaded. */
export class ResponseTooLarge extends Error {
  constructor(
    readonly limit: number,
    /** The size when Gerrit declared it (Content-Length) or it was read whole. */
    readonly size?: number,
  ) {
    super(`Gerrit answer over ${limit} bytes`);
    this.name = "ResponseTooLarge";
  }
}

/** The body as text, reading at most `max` bytes: a declared or streamed size past it cancels the download. */
async function readCapped(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge(max, declared);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function query(params: Record<string, string[]>): string {
  const parts: string[] = [];
  for (const [key, values] of Object.entries(params)) for (const v of values) parts.push(`${key}=${encodeURIComponent(v)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}
