/** The top-level import ranges parse to the same import statements, at the same places, as the whole file. */
import { pythonFixtures } from "../support/fixtures.js";
import { ImportTable } from "../../src/python/imports.js";
import { onTopLevelImportLine, topLevelImports } from "../../src/python/import-view.js";
import { withTree, withTreeOf } from "../../src/python/parser.js";
import { spanOf } from "../../src/python/positions.js";

/** Each import record of a tree (`topLevel`: of statements directly in the module, or those at column 0 too): what it imports, and where. */
function records(text: string, table: ImportTable, topLevel?: "module" | "column 0"): string[] {
  const lineStart = (index: number) => Math.max(text.lastIndexOf("\n", index - 1), text.lastIndexOf("\r", index - 1)) + 1;
  return table.records
    .filter((r) => !topLevel || (r.node.parent?.type === "module" && (topLevel === "module" || r.node.startIndex === lineStart(r.node.startIndex))))
    .map((r) => {
      const span = spanOf(text, r.node);
      return `${r.module}:${r.name ?? ""}@${span.line}:${span.column}-${span.endLine}:${span.endColumn} ${r.node.startIndex}-${r.node.endIndex}`;
    });
}

async function compare(text: string): Promise<string[]> {
  const whole = await withTree(text, (tree) => ({ records: records(text, new ImportTable(tree.rootNode), "column 0"), broken: tree.rootNode.hasError }));
  const ranged = await withTreeOf(text, topLevelImports(text), (tree) => {
    // A lone `\r` ends no line for tree-sitter: such a file is broken in both parses.
    expect(tree.rootNode.hasError).toBe(whole.broken);
    return records(text, new ImportTable(tree.rootNode));
  });
  expect(ranged).toEqual(whole.records);
  return ranged;
}

test("the statements at column 0, continued lines and all; nothing in strings, comments or blocks", async () => {
  const text = [
    '"""Doc.',
    "import not_me",
    '"""',
    "# import nor_me",
    "import os, sys as system",
    "from oslo_service import (loopingcall,",
    "    fixture)  # noqa: EVL503",
    "from a.b import \\",
    "    c",
    "x = 1; import after_semicolon",
    "def f():",
    "    import inside",
    "",
    "try:",
    "    from oslo_service import sslutils",
    "except ImportError:",
    "    pass",
    "s = 'ü'  # a wide character before the next statement",
    "from . import relative",
    "from oslo_service import eventlet_backdoor",
  ].join("\n");
  expect(await compare(text)).toEqual([
    "os:@5:1-5:25 42-66",
    "sys:@5:1-5:25 42-66",
    "oslo_service:loopingcall@6:1-7:13 67-118",
    "oslo_service:fixture@6:1-7:13 67-118",
    "a.b:c@8:1-9:6 135-158",
    "oslo_service:eventlet_backdoor@20:1-20:43 366-408",
  ]);
});

test("Windows and old Mac line ends, no imports at all", async () => {
  expect(await compare("import a\r\nfrom b import (\r\n  c)\r\nx = 1\r\nimport d\r\n")).toHaveLength(3);
  expect(await compare("x = 1\rimport a\rfrom b import c\r")).toHaveLength(2);
  expect(topLevelImports("def f():\n    import a\n")).toEqual([]);
  expect(await withTreeOf("x = 1\n", [], (tree) => tree.rootNode.namedChildCount)).toBe(0);
});

test("every fixture: the same top-level imports", async () => {
  let found = 0;
  for (const { text } of pythonFixtures()) {
    // Broken fixtures recover differently when parsed whole; they are not what the view is for.
    if (await withTree(text, (tree) => tree.rootNode.hasError)) continue;
    found += (await compare(text)).length;
  }
  expect(found).toBeGreaterThan(50);
});

test("onTopLevelImportLine: a match on the first line of a column-0 import", () => {
  const code = "import oslo_service.fixture\n    from oslo_service import fixture\nx = oslo_service.fixture\n";
  expect(onTopLevelImportLine(code, code.indexOf("oslo_service"))).toBe(true);
  expect(onTopLevelImportLine(code, code.indexOf("from"))).toBe(false);
  expect(onTopLevelImportLine(code, code.lastIndexOf("oslo_service"))).toBe(false);
});
