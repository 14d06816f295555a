import { activeRules, Analyzer, matchesTriggers } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { decodeSource } from "../../src/python/source.js";
import { configSchema } from "../../src/config/schema.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { code, Prescreen, text, triggersOf } from "../../src/rules/triggers.js";

function analyzer(config: Record<string, unknown> = {}, files: Record<string, string> = {}): Analyzer {
  return new Analyzer(configSchema.parse(config), new MemoryProjectFiles(files));
}

const encoder = new TextEncoder();

describe("pre-filter", () => {
  test("a file without any rule's trigger text is not parsed", async () => {
    const result = await analyzer().analyzeText("pkg/util.py", "import os\n\ndef f():\n    return os.getcwd()\n");
    expect(result).toEqual({ findings: [], notices: [], parsed: false });
  });

  test("a file with trigger text in its code is parsed, even when nothing is found", async () => {
    const result = await analyzer().analyzeText("pkg/util.py", "from pkg import utils\nutils.monkey_patch_all = None\n");
    expect(result).toEqual({ findings: [], notices: [], parsed: true, project: true });
  });

  test("trigger text in comments, docstrings and strings admits nothing", async () => {
    const prose = '"""Calls eventlet.monkey_patch() first."""\n# import eventlet; eventlet.monkey_patch()\nHELP = "from oslo_service import wsgi"\n';
    expect(await analyzer().analyzeText("pkg/util.py", prose)).toEqual({ findings: [], notices: [], parsed: false });
  });

  test("a rule whose gate says no is not run, and the file is not parsed for it", async () => {
    // EVL103 fires only in WSGI code; EVL501 only on the threading backend (nothing here selects it).
    const onlyWsgi = analyzer({ rules: Object.fromEntries(ALL_RULES.map((r) => [r.meta.id, r.meta.id === "EVL103" ? "on" : "off"])) });
    const patch = "import eventlet\neventlet.monkey_patch()\n";
    expect((await onlyWsgi.analyzeText("pkg/api.py", patch)).parsed).toBe(false);
    expect((await onlyWsgi.analyzeText("pkg/wsgi.py", patch)).findings.map((f) => f.rule)).toEqual(["EVL103"]);
    const only501 = analyzer({ rules: Object.fromEntries(ALL_RULES.map((r) => [r.meta.id, r.meta.id === "EVL501" ? "on" : "off"])) });
    expect((await only501.analyzeText("pkg/api.py", "import eventlet\neventlet.sleep()\n")).parsed).toBe(false);
  });

  test("the pre-filter follows the enabled rules only", async () => {
    const code = "import eventlet\neventlet.monkey_patch()\n";
    const onlyDb = analyzer({ rules: Object.fromEntries(ALL_RULES.filter((r) => r.meta.id !== "EVL301").map((r) => [r.meta.id, "off"])) });
    expect((await onlyDb.analyzeText("pkg/a.py", code)).parsed).toBe(false);
    expect((await onlyDb.analyzeText("pkg/a.py", "import MySQLdb\n")).findings.map((f) => f.rule)).toEqual(["EVL301"]);
  });

  test("a multi-pattern trigger needs all of its patterns", () => {
    const both = [code(/\bsubprocess\b/), code(/\beventlet\b/)];
    expect(matchesTriggers("import subprocess", [both])).toBe(false);
    expect(matchesTriggers("import subprocess\n# eventlet", [both])).toBe(false);
    expect(matchesTriggers("import subprocess\nimport eventlet", [both])).toBe(true);
    expect(matchesTriggers("x", [[code(/monkey_patch/)], [code(/x/)]])).toBe(true);
    expect(matchesTriggers("url = 'mysql://h/db'", [[text(/mysql:/)]])).toBe(true);
    expect(matchesTriggers("url = 'mysql://h/db'", [[code(/mysql:/)]])).toBe(false);
  });

  test("the prescreen rejects only what no trigger can match", () => {
    const screen = new Prescreen([[code(/\bsubprocess\b/), code(/\beventlet\b/)], [text(/mysql:\/\//i)], [code(/a|b/)]]);
    expect(screen.passes("import os")).toBe(false);
    expect(screen.passes("# subprocess")).toBe(true); // the triggers then decide
    expect(screen.passes("URL = 'MYSQL://h'")).toBe(true);
    expect(screen.passes("b")).toBe(true);
    // A pattern with other flags leaves the decision to the triggers.
    expect(new Prescreen([[text(/^x/m)]]).passes("import os")).toBe(true);
  });

  test("ASCII bytes and their text get the same answer", async () => {
    const code = "import eventlet\nimport logging\neventlet.monkey_patch()\n";
    expect(await analyzer().analyzeBytes("pkg/cmd/a.py", encoder.encode(code))).toEqual(await analyzer().analyzeText("pkg/cmd/a.py", code));
    expect(await analyzer().analyzeBytes("pkg/a.py", encoder.encode("import os\n"))).toEqual({ findings: [], notices: [], parsed: false });
  });

  test("every rule declares triggers", () => {
    for (const rule of ALL_RULES) expect(triggersOf(rule, configSchema.parse({})).length).toBeGreaterThan(0);
  });
});

describe("bad input never stops a run", () => {
  test("a file with a syntax error is analyzed as far as it parses, with a notice", async () => {
    const code = "import logging\nimport eventlet\neventlet.monkey_patch()\n\ndef broken(:\n    pass\n";
    const result = await analyzer().analyzeText("pkg/cmd/api.py", code);
    expect(result.parsed).toBe(true);
    expect(result.findings.map((f) => `${f.rule}:${f.line}`)).toEqual(["EVL101:3"]);
    expect(result.notices).toEqual([{ path: "pkg/cmd/api.py", message: expect.stringMatching(/^syntax error near line 5; analyzed as far as it parses$/) }]);
  });

  test("non-UTF-8 (latin-1) bytes are read, and columns stay right", async () => {
    // "# -*- coding: latin-1 -*-\nnom = 'é'; import MySQLdb\n" with é as the single byte 0xE9.
    const bytes = Uint8Array.from([...encoder.encode("# -*- coding: latin-1 -*-\nnom = '"), 0xe9, ...encoder.encode("'; import MySQLdb\n")]);
    expect(decodeSource(bytes, 1000)).toMatchObject({ kind: "text", encoding: "latin-1" });
    const result = await analyzer().analyzeBytes("pkg/db.py", bytes);
    expect(result.notices).toEqual([]);
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.endColumn])).toEqual([["EVL301", 2, 19, 26]]);
  });

  test("a UTF-8 byte-order mark is dropped", () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode("import MySQLdb\n")]);
    expect(decodeSource(bytes, 1000)).toEqual({ kind: "text", encoding: "utf-8", text: "import MySQLdb\n" });
  });

  test("a binary file is skipped with a notice", async () => {
    const bytes = Uint8Array.from([...encoder.encode("monkey_patch"), 0, 1, 2, 3]);
    expect(await analyzer().analyzeBytes("pkg/blob.py", bytes)).toEqual({
      findings: [],
      notices: [{ path: "pkg/blob.py", message: "skipped: binary file" }],
      parsed: false,
    });
  });

  test("an oversized file is skipped with a notice naming the limit", async () => {
    const bytes = encoder.encode(`import eventlet\neventlet.monkey_patch()\n${"#".repeat(200)}\n`);
    const result = await analyzer({ max_file_bytes: 100 }).analyzeBytes("pkg/big.py", bytes);
    expect(result.parsed).toBe(false);
    expect(result.findings).toEqual([]);
    expect(result.notices).toEqual([{ path: "pkg/big.py", message: expect.stringContaining("over the 100-byte limit (max_file_bytes)") }]);
  });
});

describe("findings", () => {
  test("carry rule, name, severity, 1-based span, message and spec section; sorted by position", async () => {
    const code = "import MySQLdb\nimport eventlet\neventlet.monkey_patch(thread=False)\n";
    const [first, ...rest] = (await analyzer().analyzeText("pkg/service.py", code)).findings;
    expect(first).toEqual({
      rule: "EVL301",
      name: "eventlet-unfriendly-db-driver",
      severity: "warning",
      path: "pkg/service.py",
      line: 1,
      column: 8,
      endLine: 1,
      endColumn: 15,
      message: expect.stringContaining("PyMySQL"),
      section: { title: "Eventlet Best Practices: Database Drivers", url: expect.stringMatching(/eventlet-best-practices\.html#database-drivers$/) },
    });
    expect(rest.map((f) => `${f.rule}:${f.line}:${f.column}`)).toEqual(["EVL101:3:1", "EVL102:3:1", "EVL104:3:1"]);
  });

  test("a configured severity wins over a rule's per-finding variant", async () => {
    const code = "import eventlet\neventlet.monkey_patch(thread=DEBUG)\n";
    const byDefault = (await analyzer().analyzeText("pkg/cmd/x.py", code)).findings.filter((f) => f.rule === "EVL104");
    const configured = (await analyzer({ rules: { EVL104: "error" } }).analyzeText("pkg/cmd/x.py", code)).findings.filter((f) => f.rule === "EVL104");
    expect(byDefault.map((f) => f.severity)).toEqual(["warning"]);
    expect(configured.map((f) => f.severity)).toEqual(["error"]);
  });

  test("off-by-default rules run only when turned on", async () => {
    const code = "import eventlet\neventlet.monkey_patch()\n";
    const rules = async (config: Record<string, unknown>) => (await analyzer(config).analyzeText("pkg/cmd/x.py", code)).findings.map((f) => f.rule);
    expect(await rules({})).not.toContain("EVL105");
    expect(await rules({ rules: { EVL105: "on" } })).toContain("EVL105");
    expect(await rules({ rules: { EVL105: { severity: "warning" } } })).toContain("EVL105");
    expect(await rules({ rules: { EVL101: "off", EVL105: { enabled: true } } })).toEqual(["EVL105"]);
  });

  test("an unknown rule id in the config is an error that names it", () => {
    expect(() => activeRules(configSchema.parse({ rules: { EVL999: "on" } }))).toThrow("unknown rule EVL999");
  });
});
