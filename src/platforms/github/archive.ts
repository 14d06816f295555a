/**
 * A commit's files from one repository tarball: `GET /repos/{owner}/{repo}/tarball/{sha}` is one API
 * call, answered with a 302 to codeload.github.com, whose download is not an API call. The BlobReader
 * (blobs.ts) reads a SHA this way when it wants more files of it than one GraphQL blob query holds.
 *
 * Streamed through gunzip and tar-stream; nothing goes to disk. Of the regular files it keeps the bytes
 * of those asked for and of those the analyzer may ask for later (`analyzerMayRead`), each up to
 * `maxBytes` (past it the size alone, as blobs.ts does), and the size of every other file, so "no such
 * file" is answered here too. Links, devices and paths that climb out (`..`, absolute) are not files of
 * the commit as a blob query sees them: such a path is left to a blob query, or ignored. A failed
 * download, an archive that is not the commit's, or one past the caps on downloaded or unpacked bytes
 * (a gzip bomb) throws ArchiveUnusable: the reader then asks blob queries, and loses nothing but calls.
 */
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { CONFIG_SOURCES } from "../../config/sources.js";
import { DISTRIBUTION_FILES } from "../../facts/distribution.js";
import { SERIES_FILES } from "../../facts/series.js";
import { ROOT_REQUIREMENT_FILES } from "../../facts/versions.js";
import { isRateLimited } from "../adapter.js";
import { archiveFidelity, type ArchiveFidelity } from "./archive-attributes.js";
import { errorStatus, type GithubOctokit, type PullRequestRef } from "./octokit.js";
import { rateLimitWait, REQUEST_TIMEOUT_MS } from "./writes.js";

export interface ArchiveLimits {
  /** Compressed bytes downloaded. */
  downloadBytes: number;
  /** Bytes after gunzip: the tar stream (a gzip bomb stops here). */
  unpackedBytes: number;
  /** Bytes kept of files nobody asked for yet (Python files and root config the analyzer may ask for). */
  keptBytes: number;
}

export const ARCHIVE_LIMITS: ArchiveLimits = { downloadBytes: 256 * 2 ** 20, unpackedBytes: 1024 * 2 ** 20, keptBytes: 64 * 2 ** 20 };

/** The root files the config and the facts read (config/sources.ts, facts/): kept with the Python files. */
const ROOT_FILES: ReadonlySet<string> = new Set([...CONFIG_SOURCES, ...ROOT_REQUIREMENT_FILES, ...DISTRIBUTION_FILES, ...SERIES_FILES]);

/** Whether the review may read `path` without having asked for it: a module, a package, a config or facts file. */
export function analyzerMayRead(path: string): boolean {
  return path.endsWith(".py") || ROOT_FILES.has(path);
}

/** The archive cannot be used; the caller reads by blob query instead. */
export class ArchiveUnusable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArchiveUnusable";
  }
}

/** A file as the archive holds it: its size, and its bytes when kept. */
export interface ArchiveFile {
  byteSize: number;
  bytes?: Uint8Array;
}

/** The answer "ask a blob query": the archive does not know, or may differ from the commit. */
export const ASK = Symbol("ask");

export class CommitArchive {
  constructor(
    private readonly files: ReadonlyMap<string, ArchiveFile>,
    /** Paths of entries that are not regular files (links, devices). */
    private readonly others: ReadonlySet<string>,
    private readonly fidelity: ArchiveFidelity,
  ) {}

  /** `path` as read from the commit: the file, undefined when there is none, or ASK. */
  answer(path: string, maxBytes: number): ArchiveFile | undefined | typeof ASK {
    const file = this.files.get(path);
    if (!file) return this.others.has(path) || this.fidelity.omits ? ASK : undefined;
    if (this.fidelity.altered(path)) return ASK;
    if (file.byteSize > maxBytes) return { byteSize: file.byteSize };
    return file.bytes === undefined ? ASK : file;
  }

  get size(): number {
    return this.files.size;
  }
}

export interface ArchiveRequest {
  /** Paths whose bytes are kept whatever the `keptBytes` budget. */
  wanted: ReadonlySet<string>;
  /** Past this size only the size is kept. */
  maxBytes: number;
  /** The names at the root of the commit, when known: one missing from the archive means paths were left out. */
  rootNames?: ReadonlySet<string>;
  limits?: ArchiveLimits;
  /** For the redirect and the whole download (default: the per-request limit of writes.ts). */
  timeoutMs?: number;
}

/**
 * Downloads and reads the archive of `sha`. Throws ArchiveUnusable for anything that blob queries can
 * make good; a rate limit is thrown as it is (the job waits, as for any other call).
 */
export async function readArchive(octokit: GithubOctokit, repo: Pick<PullRequestRef, "owner" | "repo">, sha: string, request: ArchiveRequest): Promise<CommitArchive> {
  const limits = request.limits ?? ARCHIVE_LIMITS;
  const abort = new AbortController();
  // One time limit for the redirect and the whole download (the request's own would end at the headers in Actions mode).
  const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(request.timeoutMs ?? REQUEST_TIMEOUT_MS)]);
  const files = new Map<string, ArchiveFile>();
  const others = new Set<string>();
  const attributes: string[] = [];
  let kept = 0;
  let top: string | undefined;
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
      owner: repo.owner,
      repo: repo.repo,
      ref: sha,
      request: { parseSuccessResponseBody: false, signal },
    });
    const length = Number(response.headers["content-length"]);
    if (length > limits.downloadBytes) throw new ArchiveUnusable(`the archive is ${length} bytes, over ${limits.downloadBytes}`);
    const tar = extract();
    tar.on("entry", (header, stream, next) => {
      // A broken archive destroys the entry's stream too: the pipeline reports that error, once.
      stream.on("error", () => {});
      const done = (error?: Error) => {
        if (error) abort.abort(error);
        next(error);
      };
      const skip = () => {
        stream.on("end", () => done());
        stream.resume();
      };
      const path = entryPath(header.name, sha, top);
      if (path instanceof ArchiveUnusable) return done(path);
      const wrong = commitMismatch(tar, sha);
      if (wrong) return done(wrong);
      if (path === undefined) return skip();
      top ??= path.top;
      const name = path.path;
      if (name === undefined) return skip(); // the top directory
      if (header.type !== "file" && header.type !== "contiguous-file") {
        if (header.type !== "directory") others.add(name);
        return skip();
      }
      const size = header.size ?? 0;
      const wanted = request.wanted.has(name);
      // Unread, a .gitattributes could hide what makes the archive differ from the commit.
      if (size > request.maxBytes && isAttributes(name)) return done(new ArchiveUnusable(`${name} is over ${request.maxBytes} bytes`));
      if (size > request.maxBytes || !(wanted || isAttributes(name) || (analyzerMayRead(name) && kept + size <= limits.keptBytes))) {
        files.set(name, { byteSize: size });
        return skip();
      }
      if (!wanted) kept += size;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        const bytes = Buffer.concat(chunks);
        files.set(name, { byteSize: bytes.length, bytes });
        if (isAttributes(name)) attributes.push(bytes.toString("utf8"));
        done();
      });
    });
    const body = response.data as unknown as ReadableStream<Uint8Array>;
    await pipeline(Readable.fromWeb(body, { signal }), cap(limits.downloadBytes, "downloaded"), createGunzip(), cap(limits.unpackedBytes, "unpacked"), tar);
  } catch (error) {
    throw unusable(error, sha);
  } finally {
    abort.abort();
  }
  // A .gitattributes that export-ignores itself still rules the archive (export-subst, eol, filter…),
  // but unread it cannot say which files differ from the commit: none of them can be trusted.
  if (request.rootNames?.has(".gitattributes") && !files.has(".gitattributes")) {
    throw new ArchiveUnusable("the root .gitattributes is not in the archive (export-ignore), so its rules are unknown");
  }
  const fidelity = archiveFidelity(attributes);
  const roots = new Set([...files.keys(), ...others].map((p) => p.split("/")[0]));
  const missing = [...(request.rootNames ?? [])].some((name) => !roots.has(name));
  return new CommitArchive(files, others, missing ? { ...fidelity, omits: true } : fidelity);
}

function isAttributes(path: string): boolean {
  return path === ".gitattributes" || path.endsWith("/.gitattributes");
}

/**
 * The commit path of an entry: GitHub's archive holds everything under one `owner-repo-<sha>/`
 * directory (the SHA cut to seven or more digits). Undefined for names no commit holds (absolute, or
 * with `..`): ignored. `path` is undefined for the top directory itself.
 */
function entryPath(name: string, sha: string, top: string | undefined): { top: string; path?: string } | ArchiveUnusable | undefined {
  const segments = name.replace(/\/$/, "").split("/");
  if (name.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..")) return undefined;
  const [first, ...rest] = segments;
  if (top === undefined) {
    const digits = first.slice(first.lastIndexOf("-") + 1);
    if (digits.length < 7 || !sha.startsWith(digits)) return new ArchiveUnusable(`the archive's top directory ${JSON.stringify(first)} does not name ${sha}`);
  } else if (first !== top) return new ArchiveUnusable(`the archive holds ${JSON.stringify(name)} outside its top directory`);
  return { top: first, ...(rest.length > 0 ? { path: rest.join("/") } : {}) };
}

/**
 * `git archive` writes the commit id into the pax global header (`comment`); tar-stream reads that
 * header but emits no entry for it, keeping it in `_paxGlobal`. When present it must be our SHA.
 */
function commitMismatch(tar: object, sha: string): ArchiveUnusable | undefined {
  const comment = (tar as { _paxGlobal?: { comment?: unknown } | null })._paxGlobal?.comment;
  return typeof comment === "string" && comment !== sha ? new ArchiveUnusable(`the archive is of commit ${comment}, not ${sha}`) : undefined;
}

/** Passes bytes through until more than `limit` went by, then fails the pipeline. */
function cap(limit: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new ArchiveUnusable(`more than ${limit} bytes ${what}`));
      else callback(null, chunk);
    },
  });
}

/** The error to throw: a rate limit as it is (the job waits), anything else as ArchiveUnusable. */
function unusable(error: unknown, sha: string): unknown {
  if (isRateLimited(error) || rateLimitWait(error) !== undefined) return error;
  if (error instanceof ArchiveUnusable) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof ArchiveUnusable) return cause;
  const status = errorStatus(error);
  const what = typeof status === "number" ? `HTTP ${status}` : status === "network" ? "no answer" : (error as Error).message;
  return new ArchiveUnusable(`the archive of ${sha} could not be read: ${what}`, { cause: error });
}
