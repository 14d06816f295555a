/**
 * `eventlet-review serve`: one long-lived analyzer behind a JSON-lines protocol on stdin/stdout, for
 * editors and the flake8 plugin (flake8-eventlet-review/), which would otherwise pay Node's and the wasm
 * parser's start-up once per file.
 *
 * The first line out is the handshake: {"protocol": 1, "name": "eventlet-review", "version": "…"}.
 * Then one reply line per request line, in order:
 *   → {"id": 7, "path": "/abs/nova/cmd/api.py", "source": "…"}     (source optional: read from disk)
 *   ← {"id": 7, "findings": [{"line", "column", "endLine", "endColumn", "code", "severity", "message"}],
 *      "notices": ["…"]}                                            or {"id": 7, "error": "…"}
 * Each file is judged within its project (platforms/local/root.ts, as `check` judges it), so
 * parent `__init__`s, patch modules and requirements count as they do for `check`.
 */
import { dirname, relative, resolve, sep } from "node:path";
import { createInterface } from "node:readline";
import { Analyzer } from "../analyzer/analyze.js";
import { loadConfigFor } from "../platforms/local/config.js";
import { projectRoot } from "../platforms/local/root.js";
import { DiskProjectFiles, readCapped } from "../platforms/local/disk.js";

export const SERVE_PROTOCOL = 1;

export interface ServeRequest {
  id: number | string;
  path: string;
  source?: string;
}

export interface ServeFinding {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: string;
  message: string;
}

export type ServeReply =
  | { id: ServeRequest["id"]; findings: ServeFinding[]; notices: string[] }
  | { id: ServeRequest["id"] | null; error: string };

/** Answers requests, keeping one Analyzer (and its project facts) per project root. */
export class AnalysisServer {
  private readonly analyzers = new Map<string, Promise<Analyzer>>();

  constructor(private readonly cwd: string) {}

  private analyzerFor(root: string): Promise<Analyzer> {
    let analyzer = this.analyzers.get(root);
    if (!analyzer) {
      // flake8 runs over whole trees, but its users read findings per line they wrote: review mode.
      analyzer = loadConfigFor(root, undefined, root).then((config) => new Analyzer(config, new DiskProjectFiles(root, config.max_file_bytes), undefined, { mode: "change" }));
      // A config error is answered for every file of that project until the server restarts.
      this.analyzers.set(root, analyzer);
    }
    return analyzer;
  }

  async answer(line: string): Promise<ServeReply> {
    let request: ServeRequest;
    try {
      request = JSON.parse(line) as ServeRequest;
      if (typeof request !== "object" || request === null || typeof request.path !== "string") throw new Error("a request needs a string \"path\"");
      if (request.source !== undefined && typeof request.source !== "string") throw new Error("\"source\" must be a string");
    } catch (error) {
      return { id: null, error: `bad request: ${(error as Error).message}` };
    }
    try {
      const absolute = resolve(this.cwd, request.path);
      const root = projectRoot(dirname(absolute));
      const path = relative(root, absolute).split(sep).join("/");
      const analyzer = await this.analyzerFor(root);
      // Size first: an editor may hand us any path, a FIFO or a huge generated file among them.
      const read = request.source === undefined ? await readCapped(absolute, analyzer.config.max_file_bytes) : undefined;
      if (read !== undefined && !Buffer.isBuffer(read)) return { id: request.id, findings: [], notices: [read.skipped] };
      const result = request.source !== undefined ? await analyzer.analyzeText(path, request.source) : await analyzer.analyzeBytes(path, read!);
      return {
        id: request.id,
        findings: result.findings.map((f) => ({
          line: f.line,
          column: f.column,
          endLine: f.endLine,
          endColumn: f.endColumn,
          code: f.rule,
          severity: f.severity,
          message: f.message,
        })),
        notices: result.notices.map((n) => n.message),
      };
    } catch (error) {
      return { id: request.id, error: (error as Error).message };
    }
  }
}

/** Runs the protocol until stdin closes. Requests are answered one at a time, in order. */
export async function serve(input: NodeJS.ReadableStream, write: (text: string) => void, version: string, cwd: string): Promise<number> {
  write(`${JSON.stringify({ protocol: SERVE_PROTOCOL, name: "eventlet-review", version })}\n`);
  const server = new AnalysisServer(cwd);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    write(`${JSON.stringify(await server.answer(line))}\n`);
  }
  return 0;
}
