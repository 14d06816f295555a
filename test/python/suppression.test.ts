import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { isSuppressed } from "../../src/python/suppression.js";
import { configSchema } from "../../src/config/schema.js";

describe("isSuppressed", () => {
  const cases: [string, string, boolean][] = [
    // A bare noqa is flake8's: it hides nothing of ours unless the config says blanket_noqa.
    ["eventlet.monkey_patch(thread=False)  # noqa", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # NOQA", "EVL104", false],
    ["import eventlet; eventlet.monkey_patch()  # noqa", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa:EVL104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E501,EVL104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E501, EVL104 because debugger", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: evl104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E501", "EVL104", false],
    // Codes are prefixes, as in flake8.
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL1", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL10", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E402,EVL1", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL3", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: E1", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL101", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL1040", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # a comment", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)", "EVL104", false],
  ];
  test.each(cases)("%s → %s suppressed: %s", (line, rule, expected) => {
    expect(isSuppressed([line], rule, 1, 1)).toBe(expected);
  });

  test("blanket_noqa gives a bare noqa flake8's meaning, and leaves code lists as they are", () => {
    expect(isSuppressed(["eventlet.monkey_patch(thread=False)  # noqa"], "EVL104", 1, 1, { blanket: true })).toBe(true);
    expect(isSuppressed(["eventlet.monkey_patch(thread=False)  # noqa: EVL"], "EVL104", 1, 1, { blanket: true })).toBe(true);
    expect(isSuppressed(["eventlet.monkey_patch(thread=False)  # noqa: E501"], "EVL104", 1, 1, { blanket: true })).toBe(false);
  });

  test("only the finding's own lines count", () => {
    const lines = ["import os  # noqa: EVL104", "eventlet.monkey_patch(thread=False)", "x = 1  # noqa: EVL104"];
    expect(isSuppressed(lines, "EVL104", 2, 2)).toBe(false);
    expect(isSuppressed(lines, "EVL104", 2, 3)).toBe(true);
  });
});

describe("suppression in the analyzer", () => {
  async function rulesFound(code: string, config: Record<string, unknown> = {}): Promise<string[]> {
    const analyzer = new Analyzer(configSchema.parse(config), new MemoryProjectFiles({}));
    const result = await analyzer.analyzeText("pkg/service.py", code);
    return result.findings.map((f) => `${f.rule}:${f.line}`);
  }

  test("without noqa, two rules report the line", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)\n")).toEqual(["EVL102:2", "EVL104:2"]);
  });

  test("# noqa: EVL104 suppresses only EVL104", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)  # noqa: EVL104\n")).toEqual(["EVL102:2"]);
  });

  test("a bare # noqa (flake8's, for E402/E702) suppresses none of our rules", async () => {
    expect(await rulesFound("import eventlet; eventlet.monkey_patch(thread=False)  # noqa\n")).toEqual(["EVL102:1", "EVL104:1"]);
  });

  test("with blanket_noqa: true, a bare # noqa suppresses every rule on the line", async () => {
    expect(await rulesFound("import eventlet; eventlet.monkey_patch(thread=False)  # noqa\n", { blanket_noqa: true })).toEqual([]);
  });

  test("# noqa: EVL1 suppresses every EVL1xx rule, as a flake8 prefix does", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)  # noqa: E402,EVL1\n")).toEqual([]);
  });

  test("# noqa: E501 does not suppress EVL rules", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)  # noqa: E501\n")).toEqual(["EVL102:2", "EVL104:2"]);
  });

  test("a multi-line call takes its noqa on its first line, where the finding starts (as Ruff does)", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(  # noqa: EVL104,EVL102\n    thread=False)\n")).toEqual([]);
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(\n    thread=False)  # noqa: EVL104\n")).toEqual(["EVL102:2", "EVL104:2"]);
  });
});
