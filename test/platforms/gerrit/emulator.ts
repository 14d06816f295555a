/**
 * A Gerrit emulator over real sockets, for the bot's tests: an HTTP server answering the REST endpoints
 * the bot uses in Gerrit's JSON shapes (`)]}'` prefix, HTTP Basic on `/a/`, plain-text errors, review
 * validation that rejects the whole review for one bad comment), and an ssh2 server whose
 * `gerrit stream-events` streams event lines. State is in memory and driven by the test.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";

const { Server: SshServer, utils } = ssh2;

export interface Account {
  _account_id: number;
  name: string;
  username: string;
  email: string;
}

interface PatchSet {
  number: number;
  revision: string;
  kind: string;
  created: Date;
  /** The tree at this patch set (path → text) and at its parent. */
  tree: Map<string, string>;
  parent: Map<string, string>;
  uploader: Account;
}

interface Message {
  id: string;
  author: Account;
  message: string;
  tag?: string;
  _revision_number: number;
  date: Date;
}

export interface StoredComment {
  id: string;
  /** The comment this one answers: comments chained by in_reply_to form a thread. */
  in_reply_to?: string;
  path: string;
  line?: number;
  range?: { start_line: number; start_character: number; end_line: number; end_character: number };
  message: string;
  unresolved: boolean;
  author: Account;
  patch_set: number;
  tag?: string;
  updated: Date;
}

export interface Change {
  number: number;
  project: string;
  branch: string;
  changeId: string;
  status: "NEW" | "MERGED" | "ABANDONED";
  wip: boolean;
  private: boolean;
  owner: Account;
  patchSets: PatchSet[];
  messages: Message[];
  comments: StoredComment[];
  /** Votes per patch set, as Gerrit keeps them: a new patch set starts empty unless a copyCondition copies. */
  votes: { label: string; value: number; account: number; patchSet: number }[];
  deleted?: boolean;
}

/** A label's definition: which patch-set kinds its copyCondition copies votes across. */
export interface LabelDefinition {
  copyKinds: Set<string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
  status: number;
}

interface Failure {
  method: string;
  path: RegExp;
  /** 0: apply the request, then never answer (the client times out). */
  status: number;
  body: string;
  times: number;
  /** Apply the request before failing it (Gerrit applied the review; the proxy in front timed out). */
  afterApply: boolean;
}

const XSSI = ")]}'\n";
const pad = (n: number) => String(n).padStart(2, "0");
/** Gerrit timestamps: `2026-11-24 00:47:29.000000000` UTC. */
export function gerritTimestamp(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000000000`;
}

function sha(seed: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 40; round++) {
    for (const c of `${seed}:${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

/** Line diff (LCS) in Gerrit's DiffInfo content chunks. */
export function diffChunks(a: string[], b: string[]): { ab?: string[]; a?: string[]; b?: string[] }[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const chunks: { ab?: string[]; a?: string[]; b?: string[] }[] = [];
  let cur: { ab?: string[]; a?: string[]; b?: string[] } | undefined;
  const push = (kind: "ab" | "a" | "b", line: string) => {
    const isCommon = kind === "ab";
    if (!cur || (isCommon ? !cur.ab : !!cur.ab)) {
      cur = {};
      chunks.push(cur);
    }
    (cur[kind] ??= []).push(line);
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      push("ab", a[i]);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      push("b", b[j++]);
    } else {
      push("a", a[i++]);
    }
  }
  return chunks;
}

const lines = (text: string) => (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");

/**
 * ssh2's generateKeyPairSync("ed25519") writes a private key its own parser rejects about once in 300
 * ("Malformed OpenSSH private key"): draw again until the key parses, so the emulator never flakes.
 */
function parseableKeyPair(): ReturnType<typeof utils.generateKeyPairSync> {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

export class GerritEmulator {
  readonly username = "eventlet-bot";
  readonly password = "http-password-for-tests";
  readonly bot: Account = { _account_id: 1000042, name: "eventlet-review", username: this.username, email: "bot@example.org" };
  readonly alice: Account = { _account_id: 1000001, name: "Alice", username: "alice", email: "alice@example.org" };
  /** A reviewer who may vote Code-Review. */
  readonly bob: Account = { _account_id: 1000002, name: "Bob", username: "bob", email: "bob@example.org" };
  /** An account that may not vote on any label (a drive-by commenter). */
  readonly mallory: Account = { _account_id: 1000003, name: "Mallory", username: "mallory", email: "mallory@example.org" };
  /**
   * Labels and their copyCondition. Verified copies only on NO_CODE_CHANGE (as the label Gerrit's init
   * offers), Code-Review on trivial rebases too.
   */
  readonly labels = new Map<string, LabelDefinition>([
    ["Verified", { copyKinds: new Set(["NO_CODE_CHANGE", "NO_CHANGE"]) }],
    ["Code-Review", { copyKinds: new Set(["NO_CODE_CHANGE", "NO_CHANGE", "TRIVIAL_REBASE"]) }],
  ]);
  /** Who may vote what (DETAILED_LABELS' permitted_voting_range); accounts not listed may not vote. */
  readonly permittedRanges = new Map<number, Record<string, { min: number; max: number }>>([
    [1000042, { Verified: { min: -1, max: 1 }, "Eventlet-Review": { min: -1, max: 1 } }],
    [1000001, { "Code-Review": { min: -2, max: 2 } }],
    [1000002, { "Code-Review": { min: -1, max: 1 } }],
  ]);
  readonly hostKey = parseableKeyPair();
  readonly clientKey = parseableKeyPair();
  readonly changes = new Map<number, Change>();
  readonly branches = new Map<string, Map<string, string>>();
  readonly requests: RecordedRequest[] = [];
  readonly events: Record<string, unknown>[] = [];
  /** Open stream-events channels. */
  private readonly streams = new Set<ssh2.ServerChannel>();
  private readonly sshClients = new Set<ssh2.Connection>();
  private readonly failures: Failure[] = [];
  /** (path, line) pairs a comment validator plugin refuses, with Gerrit's 400 for the whole review. */
  readonly refusedLines: { path: string; line: number }[] = [];
  /** Answer `gerrit stream-events` as Gerrit does for an account without the Stream Events capability. */
  refuseStreamEvents = false;
  /** Commands executed over SSH so far. */
  execs = 0;
  /** Labels the bot has no permission to vote on (403, as Gerrit answers). */
  readonly restrictedLabels = new Set<string>();
  /** Called for each authenticated request before it is answered (tests change state mid-review). */
  onRequest?: (request: RecordedRequest) => void;
  private http?: HttpServer;
  private ssh?: InstanceType<typeof SshServer>;
  private nextChange = 1;
  private nextId = 1;
  private clock: number;
  /** Hung responses (a POST that never answers), ended on stop. */
  private readonly hung = new Set<ServerResponse>();
  private streamWaiters: (() => void)[] = [];
  httpUrl = "";
  sshPort = 0;

  /**
   * @param options.clockStart a simulated clock starting at this time (epoch ms), moved only by tick()
   *   and advance(): an outage of 30 minutes costs the test nothing. Default: the wall clock.
   */
  constructor(private readonly options: { clockStart?: number } = {}) {
    this.clock = options.clockStart ?? Date.now();
  }

  async start(): Promise<void> {
    this.http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.http!.listen(0, "127.0.0.1", resolve));
    this.httpUrl = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    this.ssh = new SshServer({ hostKeys: [this.hostKey.private] }, (client) => this.onSshClient(client));
    await new Promise<void>((resolve) => this.ssh!.listen(0, "127.0.0.1", resolve));
    this.sshPort = (this.ssh.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const c of this.sshClients) c.end();
    for (const res of this.hung) res.destroy();
    await Promise.all([
      new Promise<void>((resolve) => (this.ssh ? this.ssh.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => {
        if (!this.http) return resolve();
        this.http.closeAllConnections();
        this.http.close(() => resolve());
      }),
    ]);
  }

  /** `[127.0.0.1]:port ssh-ed25519 AAAA…` for GERRIT_SSH_KNOWN_HOSTS. */
  knownHostsLine(): string {
    return `[127.0.0.1]:${this.sshPort} ${this.hostKey.public.split(" ").slice(0, 2).join(" ")}`;
  }

  /**
   * Advances the emulator's clock (at least `seconds`; a wall clock never falls behind the real one) and
   * returns it.
   */
  tick(seconds = 1): Date {
    this.clock = this.options.clockStart === undefined ? Math.max(this.clock + seconds * 1000, Date.now()) : this.clock + seconds * 1000;
    return new Date(this.clock);
  }

  /** The emulator's time, epoch seconds (for a bot that shares the simulated clock). */
  nowSeconds(): number {
    return Math.floor(this.clock / 1000);
  }

  setBranchFile(project: string, branch: string, path: string, text: string): void {
    const key = `${project}\0${branch}`;
    if (!this.branches.has(key)) this.branches.set(key, new Map());
    this.branches.get(key)!.set(path, text);
  }

  /** Creates a change with patch set 1 (`files`: path → new text, null deletes) and emits the event. */
  createChange(options: { project: string; branch?: string; files: Record<string, string | null>; wip?: boolean; private?: boolean; emit?: boolean }): Change {
    const branch = options.branch ?? "master";
    const number = this.nextChange++;
    const change: Change = {
      number,
      project: options.project,
      branch,
      changeId: `I${sha(`change-${number}`)}`,
      status: "NEW",
      wip: options.wip ?? false,
      private: options.private ?? false,
      owner: this.alice,
      patchSets: [],
      messages: [],
      comments: [],
      votes: [],
    };
    this.changes.set(number, change);
    this.uploadPatchSet(number, options.files, "REWORK", options.emit);
    return change;
  }

  /** A new patch set over the change's branch; emits `patchset-created` unless `emit` is false. */
  uploadPatchSet(number: number, files: Record<string, string | null>, kind = "REWORK", emit = true): PatchSet {
    const change = this.changes.get(number)!;
    const parent = new Map(this.branches.get(`${change.project}\0${change.branch}`) ?? []);
    const tree = new Map(parent);
    for (const [path, text] of Object.entries(files)) {
      if (text === null) tree.delete(path);
      else tree.set(path, text);
    }
    const ps: PatchSet = { number: change.patchSets.length + 1, revision: sha(`${number}-${change.patchSets.length + 1}-${kind}`), kind, created: this.tick(), tree, parent, uploader: change.owner };
    change.patchSets.push(ps);
    // copyCondition: votes on the previous patch set carry over only for the kinds the label names.
    for (const v of change.votes.filter((x) => x.patchSet === ps.number - 1)) {
      if (this.labels.get(v.label)?.copyKinds.has(kind)) change.votes.push({ ...v, patchSet: ps.number });
    }
    this.addMessage(change, change.owner, `Uploaded patch set ${ps.number}.`, ps.number, "autogenerated:gerrit:newPatchSet");
    if (emit) {
      this.emit({
        type: "patchset-created",
        uploader: this.eventAccount(change.owner),
        patchSet: { number: ps.number, revision: ps.revision, ref: `refs/changes/${String(number % 100).padStart(2, "0")}/${number}/${ps.number}`, uploader: this.eventAccount(change.owner), createdOn: Math.floor(ps.created.getTime() / 1000), kind },
        ...this.eventChangeFields(change, ps.created),
      });
    }
    return ps;
  }

  /**
   * A human (or the bot) comments on the current patch set; emits `comment-added` (unless `emit` is
   * false: an event lost in an outage). The message and the event carry the same time, as in Gerrit.
   */
  comment(number: number, author: Account, text: string, options: { emit?: boolean } = {}): Record<string, unknown> {
    const change = this.changes.get(number)!;
    const ps = change.patchSets.at(-1)!;
    const message = `Patch Set ${ps.number}:\n\n${text}`;
    const at = this.tick();
    change.messages.push({ id: `m${this.nextId++}`, author, message, _revision_number: ps.number, date: at });
    const event = {
      type: "comment-added",
      author: this.eventAccount(author),
      approvals: [],
      comment: message,
      patchSet: { number: ps.number, revision: ps.revision, kind: ps.kind },
      ...this.eventChangeFields(change, at),
    };
    if (options.emit === false) return event;
    return this.emit(event);
  }

  /**
   * A person answers a thread (Gerrit stores the reply on the parent's patch set); `unresolved: false`
   * resolves it, true reopens it. Returns the reply.
   */
  reply(number: number, author: Account, parentId: string, message: string, unresolved: boolean): StoredComment {
    const change = this.changes.get(number)!;
    const parent = change.comments.find((c) => c.id === parentId)!;
    const reply: StoredComment = { id: `c${this.nextId++}`, in_reply_to: parentId, path: parent.path, line: parent.line, range: parent.range, message, unresolved, author, patch_set: parent.patch_set, updated: this.tick() };
    change.comments.push(reply);
    this.addMessage(change, author, `Patch Set ${parent.patch_set}:\n\n(1 comment)`, parent.patch_set);
    return reply;
  }

  /**
   * The change's threads: each root comment with its replies in order; `unresolved` is the state of the
   * last comment, as Gerrit computes it.
   */
  threads(number: number): { root: StoredComment; comments: StoredComment[]; unresolved: boolean }[] {
    const change = this.changes.get(number)!;
    const rootOf = (c: StoredComment): StoredComment => {
      let cur = c;
      while (cur.in_reply_to) cur = change.comments.find((x) => x.id === cur.in_reply_to)!;
      return cur;
    };
    const byRoot = new Map<string, StoredComment[]>();
    for (const c of change.comments) {
      const root = rootOf(c);
      byRoot.set(root.id, [...(byRoot.get(root.id) ?? []), c]);
    }
    return [...byRoot.values()].map((comments) => ({ root: comments[0], comments, unresolved: comments.at(-1)!.unresolved }));
  }

  /** The votes on the current patch set (what DETAILED_LABELS shows). */
  currentVotes(number: number): { label: string; value: number; account: number }[] {
    const change = this.changes.get(number)!;
    const current = change.patchSets.at(-1)!.number;
    return change.votes.filter((v) => v.patchSet === current).map(({ label, value, account }) => ({ label, value, account }));
  }

  /** The fields every change event of stream-events carries: the change, its project and branch, the time. */
  private eventChangeFields(change: Change, at: Date): Record<string, unknown> {
    return {
      change: this.eventChange(change),
      project: change.project,
      refName: `refs/heads/${change.branch}`,
      changeKey: { id: change.changeId },
      eventCreatedOn: Math.floor(at.getTime() / 1000),
    };
  }

  /** Marks a change ready (or WIP again) and emits `wip-state-changed`. */
  setWorkInProgress(number: number, wip: boolean): Record<string, unknown> {
    const change = this.changes.get(number)!;
    change.wip = wip;
    const ps = change.patchSets.at(-1)!;
    this.addMessage(change, change.owner, wip ? "Set Work In Progress" : "Set Ready For Review", ps.number);
    return this.emit({
      type: "wip-state-changed",
      changer: this.eventAccount(change.owner),
      patchSet: { number: ps.number, revision: ps.revision, kind: ps.kind },
      ...this.eventChangeFields(change, this.tick()),
    });
  }

  /** Sends an event to every open stream-events channel and returns it (for webhook tests). */
  emit(event: Record<string, unknown>): Record<string, unknown> {
    this.events.push(event);
    for (const stream of this.streams) stream.write(`${JSON.stringify(event)}\n`);
    return event;
  }

  /** Writes a raw line (malformed JSON tests). */
  emitRaw(line: string): void {
    for (const stream of this.streams) stream.write(`${line}\n`);
  }

  /** Closes every SSH connection (a network drop or a Gerrit restart). */
  dropSsh(): void {
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
    for (const c of this.sshClients) c.end();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Resolves once `count` stream-events channels are open. */
  async waitForStreams(count = 1): Promise<void> {
    while (this.streams.size < count) await new Promise<void>((resolve) => this.streamWaiters.push(resolve));
  }

  /** The next `times` requests matching method and path answer `status` with `body`. */
  failNext(method: string, path: RegExp, status: number, times = 1, body = "Internal server error"): void {
    this.failures.push({ method, path, status, body, times, afterApply: false });
  }

  /**
   * The next `times` matching requests are applied, then fail: `status` 0 never answers (the client
   * times out), a 5xx answers with it (a proxy that gave up while Gerrit carried on).
   */
  failAfterApply(method: string, path: RegExp, status = 0, times = 1): void {
    this.failures.push({ method, path, status, body: "Gateway Timeout", times, afterApply: true });
  }

  /** Reviews the bot posted (POST …/review), in order. */
  reviews(number?: number): { change: number; patchSet: number; body: Record<string, unknown> }[] {
    return this.requests
      .filter((r) => r.method === "POST" && r.status === 200 && /\/review$/.test(r.path))
      .map((r) => {
        const m = /^\/a\/changes\/[^/]*?(\d+)\/revisions\/(\d+)\/review$/.exec(r.path.replace(/%7E/gi, "~"))!;
        return { change: Number(m[1]), patchSet: Number(m[2]), body: r.body as Record<string, unknown> };
      })
      .filter((r) => number === undefined || r.change === number);
  }

  // ---------- SSH ----------

  private onSshClient(client: ssh2.Connection): void {
    this.sshClients.add(client);
    client.on("close", () => this.sshClients.delete(client));
    client.on("error", () => this.sshClients.delete(client));
    client.on("authentication", (ctx) => {
      const allowed = utils.parseKey(this.clientKey.public);
      if (allowed instanceof Error) return ctx.reject();
      if (
        ctx.method === "publickey" &&
        ctx.username === this.username &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.length === allowed.getPublicSSH().length &&
        timingSafeEqual(ctx.key.data, allowed.getPublicSSH()) &&
        (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true)
      ) {
        return ctx.accept();
      }
      ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (acceptExec, _reject, info) => {
          const stream = acceptExec();
          this.execs++;
          if (this.refuseStreamEvents && info.command.trim() === "gerrit stream-events") {
            stream.stderr.write("fatal: eventlet-bot does not have \"Stream Events\" capability.\n");
            stream.exit(1);
            stream.end();
            return;
          }
          if (info.command.trim() !== "gerrit stream-events") {
            stream.stderr.write(`fatal: "${info.command}" is not a command the emulator knows\n`);
            stream.exit(1);
            stream.end();
            return;
          }
          this.streams.add(stream);
          stream.on("close", () => this.streams.delete(stream));
          for (const w of this.streamWaiters.splice(0)) w();
        });
      });
    });
  }

  // ---------- HTTP ----------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://gerrit");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const record: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, status: 0 };
    this.requests.push(record);
    const send = (status: number, payload: unknown, json = true) => {
      record.status = status;
      if (json) {
        res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
        res.end(XSSI + JSON.stringify(payload));
      } else {
        res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(String(payload));
      }
    };
    if (!url.pathname.startsWith("/a/")) return send(401, "Unauthorized", false);
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`;
    if (req.headers.authorization !== expected) return send(401, "Unauthorized", false);
    this.onRequest?.(record);
    const failure = this.failures.find((f) => f.times > 0 && f.method === record.method && f.path.test(url.pathname));
    if (failure) failure.times--;
    if (failure && !failure.afterApply) return send(failure.status, failure.body, false);
    try {
      const [status, payload, json] = this.route(record.method, url, body);
      if (failure && failure.status === 0) {
        record.status = -status; // applied, never answered
        this.hung.add(res);
        res.on("close", () => this.hung.delete(res));
        return;
      }
      if (failure) {
        record.status = -status;
        res.writeHead(failure.status, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(failure.body);
        return;
      }
      send(status, payload, json);
    } catch (error) {
      send(500, `emulator error: ${(error as Error).message}`, false);
    }
  }

  private route(method: string, url: URL, body: unknown): [number, unknown, boolean] {
    const parts = url.pathname.slice(3).split("/").map(decodeURIComponent);
    const notFound: [number, unknown, boolean] = [404, "Not found", false];
    if (method === "GET" && parts[0] === "accounts" && parts[1] === "self") return [200, this.bot, true];
    if (method === "GET" && parts[0] === "projects" && parts[2] === "branches" && parts[4] === "files" && parts[6] === "content") {
      const text = this.branches.get(`${parts[1]}\0${parts[3]}`)?.get(parts[5]);
      return text === undefined ? [404, `File not found: refs/heads/${parts[3]}/${parts[5]}`, false] : [200, Buffer.from(text).toString("base64"), false];
    }
    if (parts[0] !== "changes") return notFound;
    if (parts[1] === "" && method === "GET") return [200, this.query(url.searchParams), true];
    const change = this.findChange(parts[1]);
    if (!change) return [404, `Not found: ${parts[1]}`, false];
    if (parts.length === 2 && method === "GET") return [200, this.changeInfo(change, url.searchParams.getAll("o")), true];
    // Every published comment of the change, on every patch set, with in_reply_to chains.
    if (parts.length === 3 && parts[2] === "comments" && method === "GET") return [200, this.commentInfos(change.comments), true];
    if (parts[2] !== "revisions") return notFound;
    const ps = parts[3] === "current" ? change.patchSets.at(-1) : change.patchSets.find((p) => String(p.number) === parts[3] || p.revision === parts[3]);
    if (!ps) return [404, `Not found: ${parts[3]}`, false];
    if (parts[4] === "files" && parts.length === 6 && parts[5] === "" && method === "GET") return [200, this.fileInfos(ps), true];
    if (parts[4] === "files" && parts[6] === "content" && method === "GET") {
      const text = ps.tree.get(parts[5]);
      return text === undefined ? [404, `Not found: ${parts[5]}`, false] : [200, Buffer.from(text).toString("base64"), false];
    }
    if (parts[4] === "files" && parts[6] === "diff" && method === "GET") {
      const path = parts[5];
      const a = ps.parent.get(path);
      const b = ps.tree.get(path);
      if (a === undefined && b === undefined) return [404, `Not found: ${path}`, false];
      const meta = (text: string) => ({ name: path, content_type: "text/x-python", lines: lines(text).length });
      return [
        200,
        {
          ...(a === undefined ? {} : { meta_a: meta(a) }),
          ...(b === undefined ? {} : { meta_b: meta(b) }),
          change_type: a === undefined ? "ADDED" : b === undefined ? "DELETED" : "MODIFIED",
          intraline_status: "OK",
          content: diffChunks(a === undefined ? [] : lines(a), b === undefined ? [] : lines(b)),
        },
        true,
      ];
    }
    if (parts[4] === "comments" && method === "GET") return [200, this.commentInfos(change.comments.filter((x) => x.patch_set === ps.number)), true];
    if (parts[4] === "review" && method === "POST") return this.postReview(change, ps, body as Record<string, unknown>);
    return notFound;
  }

  private commentInfos(comments: StoredComment[]): Record<string, unknown[]> {
    const byPath: Record<string, unknown[]> = {};
    for (const c of comments) {
      const { in_reply_to, ...rest } = c;
      (byPath[c.path] ??= []).push({ ...rest, ...(in_reply_to ? { in_reply_to } : {}), updated: gerritTimestamp(c.updated), author: c.author });
    }
    return byPath;
  }

  private postReview(change: Change, ps: PatchSet, input: Record<string, unknown>): [number, unknown, boolean] {
    const comments = (input.comments ?? {}) as Record<string, { line?: number; range?: StoredComment["range"]; message: string; unresolved?: boolean; in_reply_to?: string }[]>;
    // Gerrit's validation: the whole review fails for one bad comment.
    for (const [path, list] of Object.entries(comments)) {
      if (!ps.tree.has(path)) return [400, `file ${path} not found in revision ${change.number},${ps.number}`, false];
      for (const c of list) {
        if (c.line !== undefined && c.line < 0) return [400, `negative line number ${c.line} not allowed on ${path}`, false];
        if (c.range && c.range.end_line !== c.line) return [400, `range endLine must be on the same line as the comment`, false];
        if (this.refusedLines.some((r) => r.path === path && r.line === c.line)) return [400, `Comment validation error! ${path}:${c.line}: refused by a comment validator`, false];
        if (c.in_reply_to !== undefined && !change.comments.some((x) => x.id === c.in_reply_to && x.path === path)) return [400, `Invalid parentUuid ${c.in_reply_to}`, false];
      }
    }
    const labels = (input.labels ?? {}) as Record<string, number>;
    for (const [label, value] of Object.entries(labels)) {
      if (this.restrictedLabels.has(label)) return [403, `Applying label "${label}": ${value > 0 ? "+" : ""}${value} is restricted`, false];
    }
    if (Object.keys(labels).length && ps !== change.patchSets.at(-1)) return [409, "cannot post labels on a non-current patch set", false];
    if (Object.keys(labels).length && change.status !== "NEW") return [409, `change is ${change.status.toLowerCase()}`, false];
    const now = this.tick();
    for (const [path, list] of Object.entries(comments)) {
      for (const c of list) {
        const duplicate = input.omit_duplicate_comments && change.comments.some((x) => x.path === path && x.line === c.line && x.message === c.message && x.patch_set === ps.number);
        if (duplicate) continue;
        // A reply inherits its parent's state unless it says otherwise (Gerrit's rule); a new thread starts resolved.
        const parent = c.in_reply_to === undefined ? undefined : change.comments.find((x) => x.id === c.in_reply_to);
        change.comments.push({
          id: `c${this.nextId++}`,
          ...(c.in_reply_to ? { in_reply_to: c.in_reply_to } : {}),
          path,
          line: c.line,
          range: c.range,
          message: c.message,
          unresolved: c.unresolved ?? parent?.unresolved ?? false,
          author: this.bot,
          patch_set: ps.number,
          tag: input.tag as string | undefined,
          updated: now,
        });
      }
    }
    for (const [label, value] of Object.entries(labels)) {
      change.votes = change.votes.filter((v) => !(v.label === label && v.account === this.bot._account_id && v.patchSet === ps.number));
      change.votes.push({ label, value, account: this.bot._account_id, patchSet: ps.number });
    }
    const votes = Object.entries(labels).map(([l, v]) => ` ${l}${v > 0 ? "+" : ""}${v}`).join("");
    if (input.message || votes || Object.keys(comments).length) {
      this.addMessage(change, this.bot, `Patch Set ${ps.number}:${votes}\n\n${String(input.message ?? "")}`, ps.number, input.tag as string | undefined);
    }
    return [200, { labels }, true];
  }

  private addMessage(change: Change, author: Account, message: string, psNumber: number, tag?: string): void {
    change.messages.push({ id: `m${this.nextId++}`, author, message, tag, _revision_number: psNumber, date: this.tick() });
  }

  private findChange(id: string): Change | undefined {
    const parts = id.split("~");
    let change: Change | undefined;
    if (parts.length === 1 && /^\d+$/.test(id)) change = this.changes.get(Number(id));
    else if (parts.length === 2) change = [...this.changes.values()].find((c) => c.project === parts[0] && String(c.number) === parts[1]);
    else if (parts.length === 3) change = [...this.changes.values()].find((c) => c.project === parts[0] && c.branch === parts[1] && c.changeId === parts[2]);
    return change?.deleted ? undefined : change;
  }

  private updated(change: Change): Date {
    return new Date(Math.max(...change.patchSets.map((p) => p.created.getTime()), ...change.messages.map((m) => m.date.getTime())));
  }

  private query(params: URLSearchParams): unknown[] {
    const q = params.get("q") ?? "";
    const after = /after:"?([^"]+)"?/.exec(q)?.[1];
    const afterMs = after ? Date.parse(`${after.replace(" ", "T")}Z`) : undefined;
    let list = [...this.changes.values()].filter((c) => !c.deleted);
    if (/status:open/.test(q)) list = list.filter((c) => c.status === "NEW");
    if (afterMs !== undefined) list = list.filter((c) => this.updated(c).getTime() >= afterMs);
    list.sort((a, b) => this.updated(b).getTime() - this.updated(a).getTime());
    const start = Number(params.get("S") ?? 0);
    const n = Number(params.get("n") ?? 500);
    const page = list.slice(start, start + n).map((c) => this.changeInfo(c, params.getAll("o")));
    if (start + n < list.length && page.length) (page.at(-1) as Record<string, unknown>)._more_changes = true;
    return page;
  }

  private changeInfo(change: Change, options: string[]): Record<string, unknown> {
    const current = change.patchSets.at(-1)!;
    const info: Record<string, unknown> = {
      id: `${change.project}~${change.branch}~${change.changeId}`,
      project: change.project,
      branch: change.branch,
      change_id: change.changeId,
      subject: `Change ${change.number}`,
      status: change.status,
      created: gerritTimestamp(change.patchSets[0].created),
      updated: gerritTimestamp(this.updated(change)),
      insertions: 1,
      deletions: 0,
      _number: change.number,
      owner: options.includes("DETAILED_ACCOUNTS") ? { ...change.owner } : { _account_id: change.owner._account_id },
      current_revision_number: current.number,
      ...(change.wip ? { work_in_progress: true } : {}),
      ...(change.private ? { is_private: true } : {}),
    };
    if (options.includes("CURRENT_REVISION") || options.includes("ALL_REVISIONS")) {
      info.current_revision = current.revision;
      const revs = options.includes("ALL_REVISIONS") ? change.patchSets : [current];
      info.revisions = Object.fromEntries(revs.map((p) => [p.revision, { kind: p.kind, _number: p.number, created: gerritTimestamp(p.created), uploader: { _account_id: p.uploader._account_id }, ref: `refs/changes/${change.number}/${p.number}` }]));
    }
    if (options.includes("MESSAGES")) {
      info.messages = change.messages.map((m) => ({ id: m.id, author: m.author, real_author: m.author, date: gerritTimestamp(m.date), message: m.message, ...(m.tag ? { tag: m.tag } : {}), _revision_number: m._revision_number }));
    }
    if (options.includes("DETAILED_LABELS")) {
      // The current patch set's votes; every reviewer (an account that commented or voted) with its
      // permitted_voting_range, absent when it may not vote on the label.
      const labels: Record<string, { all: Record<string, unknown>[] }> = {};
      const reviewers = new Map<number, Account>();
      for (const m of change.messages) if (m.author._account_id !== change.owner._account_id) reviewers.set(m.author._account_id, m.author);
      const accountInfo = (id: number) => {
        const a = reviewers.get(id) ?? [this.bot, this.alice, this.bob, this.mallory].find((x) => x._account_id === id);
        return options.includes("DETAILED_ACCOUNTS") && a ? { _account_id: id, name: a.name, username: a.username, email: a.email } : { _account_id: id };
      };
      for (const label of this.labels.keys()) {
        labels[label] = {
          all: [...reviewers.keys()].map((id) => {
            const range = this.permittedRanges.get(id)?.[label];
            const vote = change.votes.find((v) => v.label === label && v.account === id && v.patchSet === current.number);
            return { ...accountInfo(id), value: vote?.value ?? 0, ...(range ? { permitted_voting_range: range } : {}) };
          }),
        };
      }
      for (const v of change.votes.filter((x) => x.patchSet === current.number && !reviewers.has(x.account))) {
        (labels[v.label] ??= { all: [] }).all.push({ ...accountInfo(v.account), value: v.value });
      }
      info.labels = labels;
    }
    return info;
  }

  private fileInfos(ps: PatchSet): Record<string, unknown> {
    const files: Record<string, unknown> = { "/COMMIT_MSG": { status: "A", lines_inserted: 7, size_delta: 300, size: 300 } };
    const paths = new Set([...ps.tree.keys(), ...ps.parent.keys()]);
    for (const path of [...paths].sort()) {
      const a = ps.parent.get(path);
      const b = ps.tree.get(path);
      if (a === b) continue;
      const chunks = diffChunks(a === undefined ? [] : lines(a), b === undefined ? [] : lines(b));
      const inserted = chunks.reduce((n, c) => n + (c.b?.length ?? 0), 0);
      const deleted = chunks.reduce((n, c) => n + (c.a?.length ?? 0), 0);
      files[path] = {
        ...(a === undefined ? { status: "A" } : b === undefined ? { status: "D" } : {}),
        ...(inserted ? { lines_inserted: inserted } : {}),
        ...(deleted ? { lines_deleted: deleted } : {}),
        size_delta: (b?.length ?? 0) - (a?.length ?? 0),
        size: b?.length ?? 0,
      };
    }
    return files;
  }

  private eventAccount(a: Account) {
    return { name: a.name, email: a.email, username: a.username };
  }

  private eventChange(c: Change) {
    return {
      project: c.project,
      branch: c.branch,
      id: c.changeId,
      number: c.number,
      subject: `Change ${c.number}`,
      owner: this.eventAccount(c.owner),
      url: `${this.httpUrl}/c/${c.project}/+/${c.number}`,
      commitMessage: `Change ${c.number}\n\nChange-Id: ${c.changeId}\n`,
      createdOn: Math.floor(c.patchSets[0].created.getTime() / 1000),
      status: c.status,
      ...(c.wip ? { wip: true } : {}),
      ...(c.private ? { private: true } : {}),
    };
  }
}
