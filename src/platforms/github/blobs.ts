/**
 * File contents by commit SHA, in bulk: GraphQL `object(expression: "<sha>:<path>")` aliases, at most
 * BLOBS_PER_QUERY a query, and every read asked within one turn of the event loop goes into the same
 * queries (the analyzer asks for parent packages and imported modules one by one). A path that does not
 * exist costs nothing more than its alias (the answer is null), so no tree listing is needed.
 *
 * Size first: each answer carries the blob's `byteSize`. GitHub's GraphQL cuts `text` at 512,000 bytes
 * (`isTruncated`; sveltia/sveltia-cms#950); such blobs, binary ones and those GitHub gives no text for
 * are read raw over REST, but only when `byteSize` is within `maxBytes`: past it, nothing more is
 * downloaded and the reader hears the size alone.
 *
 * More files of one SHA than one query holds (a large pull request) come from one repository tarball
 * instead (archive.ts): one call, whatever the number of files. Once read, the archive answers every
 * later read of that SHA (facts files, parent packages, imported modules), "no such file" included;
 * what it cannot answer, and everything when it cannot be used, goes to the blob queries.
 */
import type { Logger } from "../adapter.js";
import { ARCHIVE_LIMITS, ArchiveUnusable, ASK, readArchive, type ArchiveLimits, type CommitArchive } from "./archive.js";
import type { GithubOctokit, PullRequestRef } from "./octokit.js";

/** Blobs per GraphQL query (GitHub documents no alias limit; this keeps each answer well under its timeout). */
export const BLOBS_PER_QUERY = 100;
/** The fields each blob alias asks for: the size first. */
export const BLOB_FIELDS = "... on Blob { byteSize isBinary isTruncated text }";

export interface BlobNode {
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
  text: string | null;
}

/** A file as read: its size, and its bytes unless it is over the size limit. */
export interface Blob {
  byteSize: number;
  /** Absent when the file is over `maxBytes` (nothing of it was downloaded past GraphQL's cut text). */
  bytes?: Uint8Array;
}

interface Pending {
  sha: string;
  path: string;
  resolve: (blob: Blob | undefined | Promise<Blob | undefined>) => void;
  reject: (error: unknown) => void;
}

const utf8 = new TextEncoder();

/** How many times the archive's download cap a repository's history (diskUsage) may be before no archive is tried. */
export const HISTORY_PER_TREE = 8;

export class BlobReader {
  /** Past this many bytes a file is not downloaded (the config's `max_file_bytes`). */
  maxBytes = Number.POSITIVE_INFINITY;
  private readonly cache = new Map<string, Promise<Blob | undefined>>();
  /** Per SHA, the names at the root of its tree, when known: a path under any other name does not exist. */
  private readonly roots = new Map<string, ReadonlySet<string>>();
  /** Per SHA, its archive once asked for (undefined: it could not be used). */
  private readonly archives = new Map<string, Promise<CommitArchive | undefined>>();
  private pending: Pending[] = [];
  private scheduled = false;
  /** Says why an archive was not used (the job's logger). */
  log?: Pick<Logger, "info" | "warn">;
  /** Caps on an archive's bytes (archive.ts ARCHIVE_LIMITS by default); `false` never reads one. */
  archiveLimits?: ArchiveLimits | false;
  /**
   * The repository's size on GitHub's disks (GraphQL `diskUsage`, history included), when known: past the
   * download cap no archive is tried, rather than downloaded up to the cap and dropped.
   */
  repositoryBytes?: number;

  constructor(
    private readonly octokit: GithubOctokit,
    private readonly repo: Pick<PullRequestRef, "owner" | "repo">,
  ) {}

  /** The file `path` at `sha`, undefined when there is none. */
  read(sha: string, path: string): Promise<Blob | undefined> {
    const key = `${sha}:${path}`;
    let blob = this.cache.get(key);
    if (!blob) {
      const root = this.roots.get(sha);
      blob = root && !root.has(path.split("/")[0]) ? Promise.resolve(undefined) : this.lookup(sha, path);
      this.cache.set(key, blob);
    }
    return blob;
  }

  /** Several files in the fewest queries. */
  readMany(sha: string, paths: readonly string[]): Promise<Map<string, Blob | undefined>> {
    return Promise.all(paths.map((p) => this.read(sha, p).then((b) => [p, b] as const))).then((entries) => new Map(entries));
  }

  /** Records what another query already answered (the pull request snapshot), or a text known otherwise. */
  seed(sha: string, path: string, node: BlobNode | null): void {
    this.cache.set(`${sha}:${path}`, this.blob(sha, path, node));
  }

  /** The names at the root of `sha`'s tree: paths under no other name are not asked for. */
  limitTo(sha: string, rootNames: ReadonlySet<string>): void {
    this.roots.set(sha, rootNames);
  }

  /** Records a file's text known without asking (an added file's whole patch). */
  seedText(sha: string, path: string, text: string): void {
    const bytes = utf8.encode(text);
    this.cache.set(`${sha}:${path}`, Promise.resolve({ byteSize: bytes.length, bytes }));
  }

  /** True when `path` at `sha` was already read or asked for. */
  has(sha: string, path: string): boolean {
    return this.cache.has(`${sha}:${path}`);
  }

  /** From the SHA's archive when there is one, else (or when it cannot say) by blob query. */
  private lookup(sha: string, path: string): Promise<Blob | undefined> {
    const archive = this.archives.get(sha);
    if (!archive) return this.ask(sha, path);
    return archive.then((a) => {
      const answer = a ? a.answer(path, this.maxBytes) : ASK;
      return answer === ASK ? this.ask(sha, path) : answer;
    });
  }

  private ask(sha: string, path: string): Promise<Blob | undefined> {
    return new Promise((resolve, reject) => this.enqueue({ sha, path, resolve, reject }));
  }

  private enqueue(pending: Pending): void {
    this.pending.push(pending);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const bySha = new Map<string, Pending[]>();
    for (const p of this.pending) {
      const same = bySha.get(p.sha);
      if (same) same.push(p);
      else bySha.set(p.sha, [p]);
    }
    this.pending = [];
    for (const [sha, all] of bySha) {
      if (all.length > BLOBS_PER_QUERY && this.archiveWorthTrying(sha)) {
        this.fromArchive(sha, all);
        continue;
      }
      for (let start = 0; start < all.length; start += BLOBS_PER_QUERY) this.query(all.slice(start, start + BLOBS_PER_QUERY));
    }
  }

  private query(batch: Pending[]): void {
    const { query, variables } = blobQuery(
      this.repo,
      batch.map((p) => `${p.sha}:${p.path}`),
    );
    this.octokit.graphql<{ repository: Record<string, BlobNode | null> }>(query, variables).then(
      (data) => batch.forEach((p, i) => p.resolve(this.blob(p.sha, p.path, data.repository[`f${i}`] ?? null))),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  private archiveWorthTrying(sha: string): boolean {
    if (this.archiveLimits === false || this.archives.has(sha)) return false;
    // diskUsage is the whole history, packed: far more than one commit's compressed tree (OpenStack's
    // larger repositories are past the download cap by it). Only a history many times the cap says the
    // tree is likely past it too; below that the download's own caps decide.
    const cap = (this.archiveLimits ?? ARCHIVE_LIMITS).downloadBytes * HISTORY_PER_TREE;
    if (this.repositoryBytes === undefined || this.repositoryBytes <= cap) return true;
    this.log?.info({ sha, repositoryBytes: this.repositoryBytes, cap }, "repository too large for its archive; reading contents by GraphQL blob queries");
    this.archives.set(sha, Promise.resolve(undefined));
    return false;
  }

  /** One archive for `sha`; what it cannot answer goes back to the queue (then by blob query). */
  private fromArchive(sha: string, batch: Pending[]): void {
    const started = performance.now();
    const archive = readArchive(this.octokit, this.repo, sha, {
      wanted: new Set(batch.map((p) => p.path)),
      maxBytes: this.maxBytes,
      rootNames: this.roots.get(sha),
      ...(this.archiveLimits ? { limits: this.archiveLimits } : {}),
    }).then(
      (read) => {
        this.log?.info({ sha, files: read.size, seconds: Math.round(performance.now() - started) / 1000 }, "contents read from the repository archive");
        return read;
      },
      (error: unknown) => {
        if (!(error instanceof ArchiveUnusable)) throw error;
        this.log?.warn({ sha, reason: error.message }, "repository archive not used; reading contents by GraphQL blob queries");
        return undefined;
      },
    );
    this.archives.set(sha, archive);
    archive.then(
      (read) => {
        for (const p of batch) {
          const answer = read ? read.answer(p.path, this.maxBytes) : ASK;
          if (answer === ASK) this.enqueue(p);
          else p.resolve(answer);
        }
      },
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  private async blob(sha: string, path: string, node: BlobNode | null): Promise<Blob | undefined> {
    if (!node) return undefined;
    if (node.byteSize > this.maxBytes) return { byteSize: node.byteSize };
    if (node.text !== null && !node.isBinary && !node.isTruncated) return { byteSize: node.byteSize, bytes: utf8.encode(node.text) };
    const bytes = await this.fetchRaw(sha, path);
    return bytes === undefined ? undefined : { byteSize: bytes.length, bytes };
  }

  /** The exact bytes of one file (large, binary or not UTF-8). */
  private async fetchRaw(sha: string, path: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: this.repo.owner,
        repo: this.repo.repo,
        path,
        ref: sha,
        mediaType: { format: "raw" },
        request: { parseSuccessResponseBody: false },
      });
      const body = response.data as unknown;
      if (typeof body === "string") return utf8.encode(body);
      if (body instanceof ArrayBuffer) return new Uint8Array(body);
      return new Uint8Array(await new Response(body as ReadableStream).arrayBuffer());
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }
}

/**
 * A query for the blobs `expressions` (`<sha>:<path>`), aliased f0, f1…, each expression a variable
 * (a path may hold any character). `extra` adds fields to `repository` (the pull request snapshot).
 */
export function blobQuery(
  repo: Pick<PullRequestRef, "owner" | "repo">,
  expressions: readonly string[],
  extra?: { name: string; declarations: string; fields: string },
): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = { owner: repo.owner, repo: repo.repo };
  expressions.forEach((e, i) => (variables[`e${i}`] = e));
  const declarations = ["$owner: String!", "$repo: String!", ...(extra ? [extra.declarations] : []), ...expressions.map((_, i) => `$e${i}: String!`)];
  const fields = [...(extra ? [extra.fields] : []), ...expressions.map((_, i) => `f${i}: object(expression: $e${i}) { ${BLOB_FIELDS} }`)];
  const query = `query ${extra?.name ?? "EventletReviewBlobs"}(${declarations.join(", ")}) {
  repository(owner: $owner, name: $repo) {
    ${fields.join("\n    ")}
  }
}`;
  return { query, variables };
}
