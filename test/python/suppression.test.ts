import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { isSuppressed } from "../../src/python/suppression.js";
import { configSchema } from "../../src/config/schema.js";

describe("isSuppressed", () => {
  const cases: [string, string, boolean][] = [
    ["eventlet.monkey_patch(thread=False)  # noqa", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # NOQA", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa:EVL104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E501,EVL104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E501, EVL104 because debugger", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: evl104", "EVL104", true],
    ["eventlet.monkey_patch(thread=False)  # noqa: E501", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL101", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # noqa: EVL1040", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)  # a comment", "EVL104", false],
    ["eventlet.monkey_patch(thread=False)", "EVL104", false],
  ];
  test.each(cases)("%s → %s suppressed: %s", (line, rule, expected) => {
    expect(isSuppressed([line], rule, 1, 1)).toBe(expected);
  });

  test("only the finding's own lines count", () => {
    const lines = ["import os  # noqa", "eventlet.monkey_patch(thread=False)", "x = 1  # noqa"];
    expect(isSuppressed(lines, "EVL104", 2, 2)).toBe(false);
    expect(isSuppressed(lines, "EVL104", 2, 3)).toBe(true);
  });
});

describe("suppression in the analyzer", () => {
  async function rulesFound(code: string): Promise<string[]> {
    const analyzer = new Analyzer(configSchema.parse({}), new MemoryProjectFiles({}));
    const result = await analyzer.analyzeText("pkg/service.py", code);
    return result.findings.map((f) => `${f.rule}:${f.line}`);
  }

  test("without noqa, two rules report the line", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)\n")).toEqual(["EVL102:2", "EVL104:2"]);
  });

  test("# noqa: EVL104 suppresses only EVL104", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)  # noqa: EVL104\n")).toEqual(["EVL102:2"]);
  });

  test("# noqa suppresses every rule on the line", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)  # noqa\n")).toEqual([]);
  });

  test("# noqa: E501 does not suppress EVL rules", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(thread=False)  # noqa: E501\n")).toEqual(["EVL102:2", "EVL104:2"]);
  });

  test("a multi-line call takes its noqa on its first line, where the finding starts (as Ruff does)", async () => {
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(  # noqa: EVL104,EVL102\n    thread=False)\n")).toEqual([]);
    expect(await rulesFound("import eventlet\neventlet.monkey_patch(\n    thread=False)  # noqa: EVL104\n")).toEqual(["EVL102:2", "EVL104:2"]);
  });
});
