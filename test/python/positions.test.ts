import { withTree, type Node } from "../../src/python/parser.js";
import { spanOf } from "../../src/python/positions.js";

async function spanOfFirst(code: string, type: string) {
  return withTree(code, (tree) => spanOf(code, tree.rootNode.descendantsOfType(type)[0] as Node));
}

describe("spanOf: 1-based code-point columns, endColumn exclusive", () => {
  test("ASCII", async () => {
    expect(await spanOfFirst("x = 1\nfoo(bar)\n", "call")).toEqual({ line: 2, column: 1, endLine: 2, endColumn: 9 });
  });

  test("a two-byte UTF-8 character before the node counts as one column", async () => {
    // 'é' is 2 bytes in UTF-8, 1 UTF-16 unit, 1 code point.
    expect(await spanOfFirst("s = 'é'; foo()\n", "call")).toEqual({ line: 1, column: 10, endLine: 1, endColumn: 15 });
  });

  test("an astral character (a UTF-16 surrogate pair) counts as one column", async () => {
    // '😀' is 4 bytes in UTF-8, 2 UTF-16 units, 1 code point.
    expect(await spanOfFirst("s = '😀😀'; foo()\n", "call")).toEqual({ line: 1, column: 11, endLine: 1, endColumn: 16 });
  });

  test("non-ASCII inside the node moves only its end", async () => {
    expect(await spanOfFirst("foo('😀é')\n", "call")).toEqual({ line: 1, column: 1, endLine: 1, endColumn: 10 });
  });

  test("a node over several lines", async () => {
    expect(await spanOfFirst("x = foo(\n    'ü',\n)\n", "call")).toEqual({ line: 1, column: 5, endLine: 3, endColumn: 2 });
  });

  test("CRLF line endings", async () => {
    expect(await spanOfFirst("x = 1\r\n  foo()\r\n", "call")).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 8 });
  });
});
