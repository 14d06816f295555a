/**
 * Hostile Python: whatever bytes a change holds, a review's analysis ends, within the time budget,
 * in findings or a notice, never a hang or a crash of the process. Run through the AnalysisSandbox,
 * as the GitHub App, the Gerrit bot and the Action run it.
 */
import fc from "fast-check";
import type { FileResult } from "../../src/analyzer/analyze.js";
import { defaultConfig } from "../../src/config/load.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { AnalysisSandbox } from "../../src/review/sandbox.js";

/** A late patch (EVL101 fires on it), so every file is parsed and has something to say. */
const PREFIX = "import logging\nimport eventlet\neventlet.monkey_patch()\n";
const encoder = new TextEncoder();

let sandbox: AnalysisSandbox;
beforeAll(() => {
  sandbox = new AnalysisSandbox({ config: defaultConfig(), mode: "change" }, new MemoryProjectFiles({}), { fileMs: 3000, jobMs: 3_600_000 });
});
afterAll(() => sandbox.close());

function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : p));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The property: a well-formed result with at least one finding or notice. */
async function endsWell(bytes: Uint8Array): Promise<FileResult> {
  const result = await sandbox.analyze("pkg/hostile.py", bytes);
  expect(result.findings.length + result.notices.length).toBeGreaterThan(0);
  for (const f of result.findings) {
    expect(f.path).toBe("pkg/hostile.py");
    expect(f.line).toBeGreaterThanOrEqual(1);
    expect(f.column).toBeGreaterThanOrEqual(1);
    expect(f.endLine).toBeGreaterThanOrEqual(f.line);
  }
  for (const n of result.notices) expect(n).toEqual({ path: "pkg/hostile.py", message: expect.any(String) });
  return result;
}

/** A lone surrogate as WTF-8 bytes (ED A0..BF xx): not UTF-8, so the file is read as latin-1. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => new Uint8Array([0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]));
const newline = fc.constantFrom("\n", "\r\n", "\r");
const pythonish = fc.constantFrom("x = 1", "if x:", "    pass", "def f(", "'''", '"', "(", ")", "[", "]", "\\", "#", "\t", "eventlet.monkey_patch()", "import os");

const nested = fc
  .tuple(
    fc.constantFrom(
      ["(", ")"],
      ["[", "]"],
      ["{", "}"],
      ["eventlet.monkey_patch(", ")"],
      ["f(", ")"],
      ["not ", ""],
      ["lambda: ", ""],
      ["-", ""],
      ["1 + ", ""],
      ["a.", ""],
    ),
    fc.integer({ min: 1, max: 10_000 }),
    fc.boolean(),
  )
  .map(([[open, close], depth, closed]) => `x = ${open.repeat(depth)}1${closed ? close.repeat(depth) : ""}\n`);

describe("the analyzer never hangs or crashes on hostile Python", () => {
  test("random bytes", async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => void (await endsWell(concat(PREFIX, bytes)))), {
      numRuns: 150,
    });
  }, 120_000);

  test("Python-like lines with mixed CR, LF and CRLF, NUL bytes and lone surrogates", async () => {
    const piece = fc.oneof(pythonish.map((s) => encoder.encode(s)), newline.map((s) => encoder.encode(s)), fc.constant(new Uint8Array([0])), loneSurrogate);
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 300 }), async (pieces) => void (await endsWell(concat(PREFIX, ...pieces)))), {
      numRuns: 150,
    });
  }, 120_000);

  test("deeply nested expressions, closed and unclosed, up to 10,000 levels", async () => {
    await fc.assert(fc.asyncProperty(nested, async (text) => void (await endsWell(concat(PREFIX, text)))), { numRuns: 12 });
  }, 240_000);

  test("10,000 levels of indentation (50 MB: over max_file_bytes, and analyzed when the limit allows it)", async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `${" ".repeat(i)}if x:`);
    const bytes = concat(PREFIX, lines.join("\n"), "\n", " ".repeat(10_000), "eventlet.monkey_patch()\n");
    const skipped = await endsWell(bytes);
    expect(skipped.notices).toEqual([{ path: "pkg/hostile.py", message: expect.stringMatching(/^skipped: \d+ bytes is over the 2097152-byte limit/) }]);
    const config = { ...defaultConfig(), max_file_bytes: 64 * 1024 * 1024 };
    const roomy = new AnalysisSandbox({ config, mode: "change" }, new MemoryProjectFiles({}), { fileMs: 3000, jobMs: 600_000 });
    try {
      const result = await roomy.analyze("pkg/hostile.py", bytes);
      // Reviewed, or stopped by the budget (parsing 50 MB takes longer than 3 s here); either way the process goes on.
      expect(result.findings.length > 0 || result.notices.some((n) => /time budget per file/.test(n.message))).toBe(true);
    } finally {
      roomy.close();
    }
  }, 120_000);

  test("huge string literals, under and over max_file_bytes, and a NUL after the first 8 KiB", async () => {
    const big = await endsWell(concat(PREFIX, `s = '${"a".repeat(1_500_000)}'\n`));
    expect(big.findings.map((f) => f.rule)).toContain("EVL101");
    const over = await endsWell(concat(PREFIX, `s = '${"a".repeat(2_200_000)}'\n`));
    expect(over.notices[0].message).toMatch(/over the 2097152-byte limit/);
    const lateNul = await endsWell(concat(PREFIX, `s = '${"a".repeat(9000)}\0'\n`));
    expect(lateNul.findings.map((f) => f.rule)).toContain("EVL101");
  }, 60_000);
});
