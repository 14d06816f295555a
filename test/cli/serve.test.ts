/** `eventlet-review serve`: the JSON-lines protocol the flake8 plugin speaks (flake8-eventlet-review/). */
import { PassThrough } from "node:stream";
import { join } from "node:path";
import { serve, SERVE_PROTOCOL } from "../../src/cli/serve.js";
import { cleanup, PY, tempDir, writeTree } from "./helpers.js";

let root: string;

beforeEach(() => {
  root = tempDir();
  writeTree(root, {
    ".git/HEAD": "ref: refs/heads/master\n",
    "pkg/__init__.py": "",
    "pkg/cmd/__init__.py": "",
    "pkg/cmd/api.py": PY.patchAfterLogging,
    "pkg/db.py": PY.mysqldb,
  });
});

afterEach(() => cleanup(root));

/** Sends `requests` as lines, closes stdin, and returns every line the server wrote. */
async function converse(requests: string[], cwd = root): Promise<Record<string, unknown>[]> {
  const input = new PassThrough();
  let out = "";
  const done = serve(input, (text) => void (out += text), "9.9.9", cwd);
  for (const request of requests) input.write(`${request}\n`);
  input.end();
  expect(await done).toBe(0);
  return out
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("the first line is the handshake, then one reply per request in order", async () => {
  const [hello, first, second] = await converse([
    JSON.stringify({ id: 1, path: join(root, "pkg/cmd/api.py") }),
    JSON.stringify({ id: 2, path: "pkg/db.py" }),
  ]);
  expect(hello).toEqual({ protocol: SERVE_PROTOCOL, name: "eventlet-review", version: "9.9.9" });
  expect(first).toMatchObject({ id: 1, findings: [expect.objectContaining({ code: "EVL101", line: expect.any(Number), column: 1 })] });
  expect(second).toMatchObject({ id: 2, findings: [expect.objectContaining({ code: "EVL301", severity: "warning" })] });
});

test("source in the request wins over the file on disk", async () => {
  const [, reply] = await converse([JSON.stringify({ id: "a", path: join(root, "pkg/db.py"), source: PY.clean })]);
  expect(reply).toEqual({ id: "a", findings: [], notices: [] });
});

test("the file is judged within its project: a parent package's patch counts", async () => {
  writeTree(root, { "pkg/cmd/__init__.py": "import eventlet\neventlet.monkey_patch()\n" });
  const [, reply] = await converse([JSON.stringify({ id: 1, path: join(root, "pkg/cmd/api.py") })]);
  // api.py's own late patch repeats the package's full patch: no EVL101 from it any more.
  expect((reply.findings as { code: string }[]).map((f) => f.code)).not.toContain("EVL101");
});

test("bad lines get an error reply and the server goes on", async () => {
  const replies = await converse(["not json", JSON.stringify({ id: 3 }), JSON.stringify({ id: 4, path: "missing.py" }), JSON.stringify({ id: 5, path: "pkg/db.py" })]);
  expect(replies[1]).toMatchObject({ id: null, error: expect.stringContaining("bad request") });
  expect(replies[2]).toMatchObject({ id: null, error: expect.stringContaining("path") });
  expect(replies[3]).toMatchObject({ id: 4, error: expect.stringContaining("ENOENT") });
  expect(replies[4]).toMatchObject({ id: 5, findings: [expect.objectContaining({ code: "EVL301" })] });
});
