import { ImportTable, isWithin } from "../../src/python/imports.js";
import { withTree, type Node } from "../../src/python/parser.js";

/** Qualifies the callee of every call in `code`, in source order. */
async function callees(code: string): Promise<(string | undefined)[]> {
  return withTree(code, (tree) => {
    const imports = new ImportTable(tree.rootNode);
    return tree.rootNode.descendantsOfType("call").map((call) => imports.qualify((call as Node).childForFieldName("function")));
  });
}

describe("ImportTable.qualify", () => {
  test("import eventlet as ev", async () => {
    expect(await callees("import eventlet as ev\nev.monkey_patch()\nev.patcher.monkey_patch()\n")).toEqual([
      "eventlet.monkey_patch",
      "eventlet.patcher.monkey_patch",
    ]);
  });

  test("from eventlet import monkey_patch as mp", async () => {
    expect(await callees("from eventlet import monkey_patch as mp\nmp()\n")).toEqual(["eventlet.monkey_patch"]);
  });

  test("from eventlet import patcher", async () => {
    expect(await callees("from eventlet import patcher\npatcher.monkey_patch()\n")).toEqual(["eventlet.patcher.monkey_patch"]);
  });

  test("import eventlet.patcher binds the top-level name", async () => {
    expect(await callees("import eventlet.patcher\neventlet.patcher.monkey_patch()\n")).toEqual(["eventlet.patcher.monkey_patch"]);
  });

  test("from subprocess import check_output as co; import subprocess as sp", async () => {
    expect(await callees("from subprocess import check_output as co\nimport subprocess as sp\nco()\nsp.run()\n")).toEqual([
      "subprocess.check_output",
      "subprocess.run",
    ]);
  });

  test("imports inside functions and guards count (flow-insensitive)", async () => {
    const code = "import os\nif not os.environ.get('X'):\n    import eventlet\n\ndef f():\n    from eventlet import greenthread\n    greenthread.spawn(g)\n\neventlet.monkey_patch()\n";
    expect(await callees(code)).toEqual(["os.environ.get", "eventlet.greenthread.spawn", "eventlet.monkey_patch"]);
  });

  test("unbound names, relative imports and call results stay unqualified", async () => {
    const code = "from . import eventlet\nfrom .x import y\neventlet.monkey_patch()\ny()\nget().monkey_patch()\n";
    expect(await callees(code)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("importsFrom covers submodules and names from them", async () => {
    await withTree("from eventlet.green import subprocess\nimport oslo_messaging\n", (tree) => {
      const imports = new ImportTable(tree.rootNode);
      expect(imports.importsFrom("eventlet")).toBe(true);
      expect(imports.importsFrom("eventlet.green")).toBe(true);
      expect(imports.importsFrom("oslo_messaging")).toBe(true);
      expect(imports.importsFrom("oslo")).toBe(false);
      expect(imports.importsFrom("subprocess")).toBe(false);
      expect(imports.records.map((r) => [r.module, r.name])).toEqual([
        ["eventlet.green", "subprocess"],
        ["oslo_messaging", undefined],
      ]);
    });
  });
});

test("isWithin matches a module and its submodules only", () => {
  expect(isWithin("eventlet", "eventlet")).toBe(true);
  expect(isWithin("eventlet.green.subprocess", "eventlet")).toBe(true);
  expect(isWithin("eventlet_utils", "eventlet")).toBe(false);
  expect(isWithin(undefined, "eventlet")).toBe(false);
});
