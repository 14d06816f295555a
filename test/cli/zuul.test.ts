/**
 * `check --format zuul`: Zuul's `file_comments` shape (validated against a JSON Schema that mirrors
 * zuul/lib/filecomments.py, plus Gerrit's 1-based lines and 0-based characters), diff scoping, and
 * paths from the repository top.
 */
import { Ajv } from "ajv";
import { cleanup, commitAll, git, initRepo, PY, run, tempDir, writeTree } from "./helpers.js";

/** Zuul: `{str: [{line: int, message: str, range: {start_line, start_character, end_line, end_character}}]}`. */
const zuulSchema = {
  type: "object",
  additionalProperties: {
    type: "array",
    items: {
      type: "object",
      additionalProperties: false,
      required: ["line", "message"],
      properties: {
        line: { type: "integer", minimum: 1 },
        message: { type: "string", minLength: 1 },
        range: {
          type: "object",
          additionalProperties: false,
          required: ["start_line", "start_character", "end_line", "end_character"],
          properties: {
            start_line: { type: "integer", minimum: 1 },
            start_character: { type: "integer", minimum: 0 },
            end_line: { type: "integer", minimum: 1 },
            end_character: { type: "integer", minimum: 0 },
          },
        },
      },
    },
  },
  propertyNames: { pattern: "^[^/]" },
};
const validate = new Ajv({ allErrors: true }).compile(zuulSchema);

type FileComments = Record<string, { line: number; message: string; range?: Record<string, number> }[]>;

function parse(stdout: string): FileComments {
  const data = JSON.parse(stdout) as FileComments;
  expect(validate.errors ?? []).toEqual([]);
  if (!validate(data)) throw new Error(JSON.stringify(validate.errors));
  return data;
}

let repo: string;

beforeEach(() => {
  repo = tempDir("evr-zuul-");
  initRepo(repo);
  writeTree(repo, {
    "nova/__init__.py": "",
    "nova/db/api.py": PY.mysqldb, // EVL301 at 1:8, already on the branch
    "nova/cmd/__init__.py": "",
    "nova/cmd/api.py": PY.patchFirst,
  });
  commitAll(repo, "base");
  git(repo, "checkout", "-q", "-b", "change");
});

afterEach(() => cleanup(repo));

test("a finding outside the changed lines is not emitted; one on an added line is, with a range", async () => {
  writeTree(repo, {
    "nova/db/api.py": `${PY.mysqldb}\n\nURL = "mysql://nova@db/nova"\n`, // adds EVL301 (mysql://) at line 4
    "nova/db/emoji.py": 's = "\u{1F600}\u00e9"; import MySQLdb\n', // astral + BMP characters before the import
  });
  commitAll(repo, "change");

  const r = await run(["check", "--format", "zuul", "--fail-level", "warning", "--base", "master"], { cwd: repo });
  expect(r.code).toBe(1);
  const comments = parse(r.stdout);
  expect(Object.keys(comments)).toEqual(["nova/db/api.py", "nova/db/emoji.py"]);

  // Line 1 (import MySQLdb) was there before the change: no comment on it.
  expect(comments["nova/db/api.py"].map((c) => c.line)).toEqual([4]);
  const [url] = comments["nova/db/api.py"];
  expect(url.message).toMatch(/^\*\*EVL301 eventlet-unfriendly-db-driver\*\* \(warning\): /);
  expect(url.message).toContain("https://specs.openstack.org/openstack/openstack-specs/specs/eventlet-best-practices.html#database-drivers");
  // `URL = "mysql://…"`: the string literal (quotes included) from column 7 (1-based) → character 6 (0-based).
  const literal = '"mysql://nova@db/nova"';
  expect(url.range).toEqual({ start_line: 4, start_character: 6, end_line: 4, end_character: 6 + literal.length });

  // Characters are code points, as Gerrit's web UI counts them: 😀 is one character, not two UTF-16 units.
  const [emoji] = comments["nova/db/emoji.py"];
  const line = 's = "\u{1F600}\u00e9"; import MySQLdb';
  const start = [...line].indexOf("M");
  expect(emoji.range).toEqual({ start_line: 1, start_character: start, end_line: 1, end_character: start + "MySQLdb".length });
  expect([...line].slice(emoji.range!.start_character, emoji.range!.end_character).join("")).toBe("MySQLdb");
});

test("without a change scope every finding is emitted, on its own line", async () => {
  const r = await run(["check", "--format", "zuul"], { cwd: repo });
  expect(r.code).toBe(0); // EVL301 is a warning, below the default fail level
  expect(parse(r.stdout)).toEqual({
    "nova/db/api.py": [
      {
        line: 1,
        message: expect.stringContaining("EVL301"),
        range: { start_line: 1, start_character: 7, end_line: 1, end_character: 14 },
      },
    ],
  });
});

test("EVL101 caused by an inserted import is commented on the inserted line, without a range", async () => {
  writeTree(repo, { "nova/cmd/api.py": `import logging\n${PY.patchFirst}` });
  const r = await run(["check", "--format", "zuul", "--base", "master"], { cwd: repo });
  expect(r.code).toBe(1);
  const comments = parse(r.stdout);
  expect(Object.keys(comments)).toEqual(["nova/cmd/api.py"]);
  const [comment] = comments["nova/cmd/api.py"];
  expect(comment.line).toBe(1); // the added `import logging`; the patch call (line 3) is unchanged
  expect(comment.range).toBeUndefined();
  expect(comment.message).toContain("EVL101");
});

test("paths are relative to the repository top when PATH is a subdirectory", async () => {
  writeTree(repo, { "nova/db/new.py": PY.mysqldb });
  const r = await run(["check", "--format", "zuul", "--base", "master", "nova/db"], { cwd: repo });
  expect(Object.keys(parse(r.stdout))).toEqual(["nova/db/new.py"]);
});

test("--staged: only staged lines are commented; an empty result is an empty object", async () => {
  writeTree(repo, { "nova/db/new.py": PY.mysqldb });
  let r = await run(["check", "--format", "zuul", "--staged"], { cwd: repo });
  expect(parse(r.stdout)).toEqual({});
  git(repo, "add", "nova/db/new.py");
  r = await run(["check", "--format", "zuul", "--staged"], { cwd: repo });
  expect(Object.keys(parse(r.stdout))).toEqual(["nova/db/new.py"]);
});

test("in Zuul's merge commit, --base HEAD~1 is exactly the change (docs/integrations/zuul.md)", async () => {
  // The change, written on its own branch.
  writeTree(repo, { "nova/db/change.py": PY.mysqldb });
  commitAll(repo, "the change");
  // Meanwhile the target branch moved on with a finding of its own.
  git(repo, "checkout", "-q", "master");
  writeTree(repo, { "nova/db/other.py": PY.mysqldb });
  commitAll(repo, "merged earlier");
  // Zuul's speculative state: the change merged into the branch (first parent: the branch).
  git(repo, "merge", "-q", "--no-ff", "-m", "Merge the change", "change");
  const r = await run(["check", "--format", "zuul", "--base", "HEAD~1"], { cwd: repo });
  expect(Object.keys(parse(r.stdout))).toEqual(["nova/db/change.py"]);
});
